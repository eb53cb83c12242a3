// Entry point of `pnpm users …` (see ../users/cli.ts): reads web's configuration and secrets, so it
// runs where web runs (`docker compose exec web pnpm users reset enchilada`).
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ConfigError, createPool, loadConfig, migrate } from '@enchilada/core';
import { UserRepository, usersCommand, UserService } from '@enchilada/users';

const rootDir = fileURLToPath(new URL('../../..', import.meta.url));

async function main(): Promise<number> {
  const config = loadConfig('web');
  const pool = createPool(config.mysql, { connectionLimit: 1 });
  try {
    // The users table may not exist yet when this runs before web's first start.
    await migrate(pool, join(rootDir, 'db', 'migrations'));
    return await usersCommand(
      new UserService(new UserRepository(pool)),
      process.argv.slice(2),
      console.log,
      console.error,
      { publicUrl: config.publicUrl, webPort: config.webPort },
    );
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? `enchilada users: ${err.message}` : err);
    process.exit(1);
  },
);
