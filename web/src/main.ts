// Starts web: configuration, database, migrations, the first administrator, then the HTTP server.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ConfigError, createPool, loadConfig, migrate, secret, waitForDatabase } from '@enchilada/core';
import { buildApp } from './app.js';
import { UserRepository, UserService } from '@enchilada/users';
import { LoadSweeper, UploadStore } from '@enchilada/data';
import { grantServingAccount } from '@enchilada/models';

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
  if (config.servingAccount) {
    // Here and not in the database's init script: a table grant needs the table, which the
    // migrations just made (services/models/src/serving-account.ts says more).
    try {
      await grantServingAccount(pool, config.mysql.database, config.servingAccount);
      app.log.info({ account: config.servingAccount }, "granted serve's database account its privileges");
    } catch (err) {
      // web itself works on; serve, connecting as that account, answers 503 until this is fixed.
      app.log.error(
        { err, account: config.servingAccount },
        `could not grant serve's database account ${config.servingAccount} its privileges: does it exist, and may ${config.mysql.user} grant (db/initdb/serve-account.sh creates the one and allows the other; run it in the db container for a database created before it)?`,
      );
    }
  }
  const created = await new UserService(new UserRepository(pool)).bootstrapAdmin(
    config.adminUser,
    secret(config, 'db_user_password').reveal(),
  );
  if (created) app.log.info({ user: config.adminUser }, 'created the first administrator');
  // Leftovers of a crash (loads that stopped beating, their tables and upload files, old uploads),
  // now and continuously: another replica, or this one before a restart, may die mid-load.
  const sweeper = new LoadSweeper(pool, new UploadStore(config.uploadDir, config.uploadMaxBytes), app.log);
  const swept = await sweeper.start();
  if (swept.loads || swept.tables || swept.files) app.log.info(swept, 'cleaned up after an earlier crash');
  const close = async () => {
    await sweeper.stop();
    await app.close();
    await pool.end();
    process.exit(0);
  };
  // process.once ignores a listener's promise: a failed close is reported and still exits.
  const onSignal = (): void => {
    close().catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  };
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
