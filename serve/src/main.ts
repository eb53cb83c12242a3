// Starts serve: configuration, database pool, HTTP server on SERVE_PORT; with SERVE_WORKERS > 1
// a Node cluster shares the port (each worker loads its own sessions and group-commits alone; the
// primary sums their metrics for /metrics).
import cluster from 'node:cluster';
import { ConfigError, createPool, loadConfig } from '@enchilada/core';
import { buildApp } from './app.js';
import { answerClusterMetrics } from './cluster-metrics.js';

async function main(): Promise<void> {
  const config = loadConfig('serve');
  if (config.serve.workers > 1 && cluster.isPrimary) {
    answerClusterMetrics();
    for (let i = 0; i < config.serve.workers; i++) cluster.fork();
    cluster.on('exit', (w, code, signal) => {
      console.error(`enchilada serve: worker ${w.process.pid} ended (${signal ?? code}); starting another`);
      cluster.fork();
    });
    const stop = () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      process.exit(0);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return;
  }
  // No stack capture per query: serve's queries are few and known, and the capture costs ~2% of its CPU.
  const pool = createPool(config.mysql, { connectionLimit: 8, trace: false });
  const app = await buildApp({ config, pool });
  const close = async () => {
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
  await app.listen({ host: config.host, port: config.serve.port });
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `enchilada serve: ${err.message}` : err);
  process.exit(1);
});
