// Starts viz: configuration, database pool, HTTP server (not published outside the compose network).
import { ConfigError, SCHEMA_VERSION, createPool, loadConfig, waitForSchema } from '@enchilada/core';
import { buildApp } from './app.js';
import { WorkerPool } from '@enchilada/ml';
import { startJobLoop } from './training/job-loop.js';

async function main(): Promise<void> {
  const config = loadConfig('viz');
  const pool = createPool(config.mysql);
  const app = await buildApp({ config, pool });
  // Compose starts viz with web, which migrates: no job is claimed and no request served before
  // the tables exist.
  await waitForSchema(pool, SCHEMA_VERSION, { log: (m) => app.log.info(m) });
  const { workers, maxMemoryBytes } = config.training;
  const jobs = startJobLoop(pool, app.log, { workers: new WorkerPool(workers, { maxMemoryBytes }) });
  const close = async () => { await jobs.stop(); await app.close(); await pool.end(); process.exit(0); };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
  await app.listen({ host: config.host, port: config.vizPort });
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `enchilada viz: ${err.message}` : err);
  process.exit(1);
});
