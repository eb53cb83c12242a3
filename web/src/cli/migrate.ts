// `node web/dist/cli/migrate.js`: applies the migrations and exits, for an orchestrator that runs
// them once before the replicas start (Kubernetes: web's init container). web applies them at start
// too; both take the database's migration lock, so whichever runs second finds nothing to do.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ConfigError, createPool, loadConfig, migrate, waitForDatabase } from '@enchilada/core';

const rootDir = fileURLToPath(new URL('../../..', import.meta.url));

async function main(): Promise<void> {
  const config = loadConfig('web');
  const pool = createPool(config.mysql, { connectionLimit: 1 });
  try {
    await waitForDatabase(pool, console.log);
    const applied = await migrate(pool, join(rootDir, 'db', 'migrations'), console.log);
    console.log(applied.length ? `applied migrations ${applied.join(', ')}` : 'the schema is up to date');
  } finally {
    await pool.end();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? `enchilada migrate: ${err.message}` : err);
    process.exit(1);
  },
);
