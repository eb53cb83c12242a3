// Starts web and viz as host processes against a fresh database, for end-to-end tests and benchmarks.
// Root access to the MySQL/MariaDB server (TEST_MYSQL_*; CI: 127.0.0.1:3306, root, no password)
// creates the database and its user; the apps then run as that user in production mode.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

export const ROOT = {
  host: process.env.TEST_MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.TEST_MYSQL_PORT ?? 3306),
  user: process.env.TEST_MYSQL_ROOT_USER ?? 'root',
  password:
    process.env.TEST_MYSQL_ROOT_PASSWORD ??
    (process.env.TEST_MYSQL_ROOT_PASSWORD_FILE
      ? readFileSync(process.env.TEST_MYSQL_ROOT_PASSWORD_FILE, 'utf8').trim()
      : ''),
};

async function waitFor(url, ms, proc) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`${url}: process exited with ${proc.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

// With `servePort`, serve (the prediction API) is started too, once web has run the migrations.
export async function startStack({
  name = 'e2e',
  webPort = 5100,
  vizPort = 5106,
  servePort = null,
  env = {},
  log = 'inherit',
} = {}) {
  const database = `enchilada_${name}`;
  const user = `enchilada_${name}`.slice(0, 32);
  const password = randomBytes(12).toString('hex');
  const root = await mysql.createConnection(ROOT);
  await root.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await root.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  for (const host of ['%', 'localhost']) {
    await root.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, host, password]);
    await root.query('ALTER USER ?@? IDENTIFIED BY ?', [user, host, password]);
    await root.query(`GRANT ALL ON \`${database}\`.* TO ?@?`, [user, host]);
  }
  await root.end();
  const secrets = mkdtempSync(join(tmpdir(), 'enchilada-stack-'));
  for (const [k, v] of Object.entries({
    db_user_password: password,
    web_secret_key: randomBytes(24).toString('hex'),
    viz_secret_key: randomBytes(24).toString('hex'),
  })) {
    writeFileSync(join(secrets, k), v);
  }
  const common = {
    ...process.env,
    NODE_ENV: 'production',
    SECRETS_DIR: secrets,
    MYSQL_HOST: ROOT.host,
    MYSQL_PORT: String(ROOT.port),
    MYSQL_USER: user,
    MYSQL_DATABASE: database,
    WEB_PORT: String(webPort),
    VIZ_PORT: String(vizPort),
    VIZ_URL: `http://127.0.0.1:${vizPort}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    // web too: the pages show serve's address (this host, serve's port) in their example requests.
    ...(servePort ? { SERVE_PORT: String(servePort) } : {}),
    ...env,
  };
  const stdio = log === 'inherit' ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'ignore', 'inherit'];
  const viz = spawn(process.execPath, ['viz/dist/main.js'], { env: common, stdio });
  const web = spawn(process.execPath, ['web/dist/main.js'], { env: common, stdio });
  const procs = [web, viz];
  const stop = async () => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : null)));
    const r = await mysql.createConnection(ROOT);
    await r.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await r.end();
  };
  let serve = null;
  try {
    await waitFor(`http://127.0.0.1:${vizPort}/healthz`, 30_000, viz);
    await waitFor(`http://127.0.0.1:${webPort}/readyz`, 30_000, web);
    if (servePort) {
      // SERVE_NODE_ARGS: extra node flags for serve only (e.g. --cpu-prof when profiling a benchmark).
      const nodeArgs = process.env.SERVE_NODE_ARGS ? process.env.SERVE_NODE_ARGS.split(' ') : [];
      serve = spawn(process.execPath, [...nodeArgs, 'serve/dist/main.js'], {
        env: { ...common, SERVE_PORT: String(servePort) },
        stdio,
      });
      procs.push(serve);
      await waitFor(`http://127.0.0.1:${servePort}/healthz`, 30_000, serve);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    baseURL: `http://127.0.0.1:${webPort}`,
    vizURL: `http://127.0.0.1:${vizPort}`,
    serveURL: servePort ? `http://127.0.0.1:${servePort}` : null,
    user,
    password,
    database,
    web,
    viz,
    serve,
    stop,
  };
}
