// Starts viz: configuration, database pool, HTTP server (not published outside the compose network).
import { ConfigError, SCHEMA_VERSION, createPool, loadConfig, waitForSchema } from '@enchilada/core';
import { buildApp } from './app.js';
import { WorkerPool } from '@enchilada/ml';
import { startJobLoop } from './training/job-loop.js';

async function main(): Promise<void> {
  const config = loadConfig('viz');
  const pool = createPool(config.mysql);
  const app = await buildApp({ config, pool });
  let jobs: ReturnType<typeof startJobLoop> | null = null;
  const close = async () => {
    await jobs?.stop();
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
  // Listen first: compose starts web (which applies the migrations) only once viz answers its
  // health check, so waiting for the schema before listening would wait forever. Pages reach viz
  // only through web, which serves nothing before it has migrated.
  await app.listen({ host: config.host, port: config.vizPort });
  // No job is claimed before the tables exist.
  await waitForSchema(pool, SCHEMA_VERSION, { log: (m) => app.log.info(m) });
  const { workers, maxMemoryBytes } = config.training;
  jobs = startJobLoop(pool, app.log, { workers: new WorkerPool(workers, { maxMemoryBytes }) });
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `enchilada viz: ${err.message}` : err);
  process.exit(1);
});
