// Shared by the benchmarks: a signed-in HTTP session against web, a generated large CSV, uploads
// through the real routes, and process memory readings.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, openAsBlob, readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The web password a bench chooses for the bootstrap administrator at first sign-in. */
const TICK = 100; // USER_HZ: clock ticks a second in /proc's stat files (100 on Linux)

/** A process's (or thread's: /proc/<pid>/task/<tid>) CPU seconds so far, user + system; 0 when it is gone. */
export function cpuSeconds(statDir) {
  try {
    const s = readFileSync(`${statDir}/stat`, 'utf8');
    // Fields after the command (which may hold spaces, inside the last parentheses): utime is the 14th field, stime the 15th.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch {
    return 0;
  }
}

/** The MariaDB/MySQL server's pid on this machine (the bench's database), or null. */
export function mysqldPid() {
  for (const name of ['mariadbd', 'mysqld']) {
    const r = spawnSync('pidof', ['-s', name], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return Number(r.stdout.trim());
  }
  return null;
}

/** CPU seconds of each of the server's threads now (tid → seconds). */
export function mysqldThreads(pid) {
  const out = new Map();
  if (pid === null) return out;
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tids) out.set(Number(t), cpuSeconds(`/proc/${pid}/task/${t}`));
  return out;
}

export const webPassword = (databasePassword) => `${databasePassword}-chosen-in-bench`;

export class Session {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
  }
  absorb(res) {
    for (const c of res.headers.getSetCookie()) {
      const [p] = c.split(';');
      const i = p.indexOf('=');
      this.cookies.set(p.slice(0, i), p.slice(i + 1));
    }
  }
  get cookie() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async fetch(path, init = {}) {
    const res = await fetch(this.base + path, {
      redirect: 'manual',
      ...init,
      headers: { cookie: this.cookie, ...(init.headers ?? {}) },
    });
    this.absorb(res);
    return res;
  }
  async csrf(path = '/datasets') {
    const html = await (await this.fetch(path, { headers: { accept: 'text/html' } })).text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no CSRF token on ${path}`);
    return m[1];
  }
  /**
   * Signs in. The bootstrap administrator's first password is the database password, which web
   * asks them to replace at first sign-in: a bench does so with webPassword(password), then uses it.
   */
  async signIn(user, password) {
    if ((await this.login(user, webPassword(password))).status === 303) return;
    const res = await this.login(user, password);
    if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
    if (res.headers.get('location') !== '/account') return;
    const token = await this.csrf('/account');
    const changed = await this.fetch('/account/password', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        current: password,
        password: webPassword(password),
        repeat: webPassword(password),
        _csrf: token,
      }),
    });
    if (changed.status !== 303) throw new Error(`choosing the web password failed: ${changed.status}`);
  }
  async login(user, password) {
    const token = await this.csrf('/login');
    return this.fetch('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: user, password, _csrf: token }),
    });
  }
  async form(path, fields = {}) {
    const token = await this.csrf();
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, _csrf: token }),
    });
  }
  /** Loads (or reloads) a toy dataset; returns its id. */
  async loadToy(name) {
    const res = await this.form(`/datasets/toy/${name}/load`);
    if (res.status !== 303) throw new Error(`loading ${name} failed: ${res.status}`);
    const html = await (await this.fetch('/datasets', { headers: { accept: 'text/html' } })).text();
    const m = new RegExp(`<tr data-toy="${name}">[\\s\\S]*?href="/datasets/(\\d+)"`).exec(html);
    if (!m) throw new Error(`no id for ${name}`);
    return Number(m[1]);
  }
  /** Uploads a CSV through the preview and load routes; returns the finished load state. */
  async upload(file, name, title) {
    const csrf = await this.csrf();
    const form = new FormData();
    form.append('file', await openAsBlob(file, { type: 'text/csv' }), `${name}.csv`);
    const up = await this.fetch('/api/uploads', {
      method: 'POST',
      body: form,
      headers: { 'x-csrf-token': csrf, accept: 'application/json' },
    });
    const preview = await up.json();
    if (up.status !== 201) throw new Error(`upload failed: ${up.status} ${JSON.stringify(preview)}`);
    const columns = preview.columns.map((c) => ({ name: c.name, type: c.type, role: c.role }));
    const commit = await this.fetch(`/api/uploads/${preview.id}/commit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, accept: 'application/json' },
      body: JSON.stringify({ name, title, task: preview.suggestedTask, columns }),
    });
    const body = await commit.json();
    if (commit.status !== 202) throw new Error(`commit failed: ${commit.status} ${JSON.stringify(body)}`);
    for (;;) {
      const state = await (
        await this.fetch(`/api/loads/${body.load}`, { headers: { accept: 'application/json' } })
      ).json();
      if (state.status === 'failed') throw new Error(`load failed: ${state.error}`);
      if (state.status === 'done') return state;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** A deterministic CSV of `rows` rows × 10 columns (mixed numbers and text), made once. */
export async function millionRowCsv(rows) {
  const dir = join(import.meta.dirname, 'out');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `rows-${rows}.csv`);
  if (existsSync(file)) return file;
  const out = createWriteStream(file + '.part');
  let s = 42;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const cats = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
  out.write('id,x1,x2,x3,x4,x5,count_a,count_b,category,label\n');
  let buf = '';
  for (let i = 1; i <= rows; i++) {
    const x1 = rnd() * 100;
    const x2 = rnd() * 2 - 1;
    const label = x1 / 100 + x2 * 0.5 + rnd() * 0.6 > 0.8 ? 'yes' : 'no';
    buf += `${i},${x1.toFixed(4)},${x2.toFixed(6)},${(rnd() * 1e4).toFixed(2)},${rnd() < 0.01 ? '' : (rnd() * 5).toFixed(3)},${(rnd() * 50 + 10).toFixed(3)},${Math.floor(rnd() * 1000)},${Math.floor(rnd() * 20)},${cats[Math.floor(rnd() * 5)]},${label}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  const { renameSync } = await import('node:fs');
  renameSync(file + '.part', file);
  return file;
}
