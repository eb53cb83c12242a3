// `pnpm start`: web and viz as host processes in production mode (run `pnpm build` first). Reads
// MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_DATABASE, SECRETS_DIR, WEB_PORT, VIZ_PORT, VIZ_URL.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

for (const f of ['web/dist/main.js', 'viz/dist/main.js']) {
  if (!existsSync(f)) {
    console.error(`${f} is missing: run \`pnpm build\` first.`);
    process.exit(1);
  }
}
const env = { NODE_ENV: 'production', SECRETS_DIR: './secrets', ...process.env };
const children = ['viz', 'web'].map((name) => {
  const child = spawn(process.execPath, [`${name}/dist/main.js`], { env, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping.`);
      stop(code ?? 1);
    }
  });
  return child;
});
let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
