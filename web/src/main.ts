// Starts web: configuration, database, migrations, the first administrator, then the HTTP server.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ConfigError, createPool, loadConfig, migrate, secret, waitForDatabase } from '@enchilada/core';
import { buildApp } from './app.js';
import { UserRepository } from './users/repository.js';
import { UserService } from './users/service.js';
import { LoadSweeper, UploadStore } from '@enchilada/data';

const webDir = fileURLToPath(new URL('..', import.meta.url));
const rootDir = join(webDir, '..');

async function main(): Promise<void> {
  const config = loadConfig('web');
  const pool = createPool(config.mysql);
  const datasetsDir = join(rootDir, 'db', 'datasets');
  const app = await buildApp({ config, pool, webDir, datasetsDir });
  const migrationsDir = join(rootDir, 'db', 'migrations');
  await waitForDatabase(pool, (m) => app.log.info(m));
  await migrate(pool, migrationsDir, (m) => app.log.info(m));
  const created = await new UserService(new UserRepository(pool)).bootstrapAdmin(config.adminUser, secret(config, 'db_user_password').reveal());
  if (created) app.log.info({ user: config.adminUser }, 'created the first administrator');
  // Leftovers of a crash (loads that stopped beating, their tables and upload files, old uploads),
  // now and continuously: another replica, or this one before a restart, may die mid-load.
  const sweeper = new LoadSweeper(pool, new UploadStore(config.uploadDir, config.uploadMaxBytes), app.log);
  const swept = await sweeper.start();
  if (swept.loads || swept.tables || swept.files) app.log.info(swept, 'cleaned up after an earlier crash');
  const close = async () => { await sweeper.stop(); await app.close(); await pool.end(); process.exit(0); };
  // process.once ignores a listener's promise: a failed close is reported and still exits.
  const onSignal = (): void => { close().catch((err: unknown) => { console.error(err); process.exit(1); }); };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await app.listen({ host: config.host, port: config.webPort });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`enchilada web: ${err.message}`);
  } else {
    console.error('enchilada web failed to start:', err);
  }
  process.exit(1);
});
