import fs, { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, containerMemoryBytes, loadConfig } from '../src/index.js';

function secretsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  for (const [k, v] of Object.entries(files)) writeFileSync(join(dir, k), v);
  return dir;
}
const ALL = { db_user_password: 'pw\n', web_secret_key: 'w', viz_secret_key: 'v', db_root_password: 'r' };

describe('loadConfig', () => {
  it('reads ports, database settings and secrets into a frozen object', () => {
    const c = loadConfig('web', {
      SECRETS_DIR: secretsDir(ALL),
      WEB_PORT: '5100',
      MYSQL_USER: 'flask',
      MYSQL_DATABASE: 'ml_data',
    });
    expect(c.webPort).toBe(5100);
    expect(c.vizPort).toBe(5006);
    expect(c.vizUrl).toBe('http://127.0.0.1:5006');
    expect(c.mysql.user).toBe('flask');
    expect(c.adminUser).toBe('flask');
    expect(c.mysql.password.reveal()).toBe('pw');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('gives serve its own database account when MYSQL_SERVE_USER names one, with the db_serve_password secret only', () => {
    const c = loadConfig('serve', {
      SECRETS_DIR: secretsDir({ db_serve_password: 'sp\n' }),
      MYSQL_USER: 'enchilada',
      MYSQL_SERVE_USER: 'enchilada_serve',
    });
    expect(c.mysql.user).toBe('enchilada_serve');
    expect(c.mysql.password.reveal()).toBe('sp');
    expect(Object.keys(c.secrets)).toEqual(['db_serve_password']);
    expect(() => loadConfig('serve', { SECRETS_DIR: secretsDir(ALL), MYSQL_SERVE_USER: 'enchilada_serve' })).toThrow(
      /db_serve_password is missing/,
    );
  });

  it('lets serve fall back to the application account without MYSQL_SERVE_USER (development, tests)', () => {
    const c = loadConfig('serve', {
      SECRETS_DIR: secretsDir({ ...ALL, db_serve_password: 'sp' }),
      MYSQL_USER: 'enchilada',
    });
    expect(c.mysql.user).toBe('enchilada');
    expect(c.mysql.password.reveal()).toBe('pw');
    expect(c.servingAccount).toBeNull();
    expect(
      loadConfig('web', { SECRETS_DIR: secretsDir(ALL), MYSQL_SERVE_USER: 'enchilada_serve' }).servingAccount,
    ).toBe('enchilada_serve');
  });

  it('stops with a message naming the missing secret file and how to create it', () => {
    const dir = secretsDir({ db_user_password: 'x', viz_secret_key: 'v' });
    expect(() => loadConfig('web', { SECRETS_DIR: dir })).toThrow(ConfigError);
    expect(() => loadConfig('web', { SECRETS_DIR: dir })).toThrow(
      new RegExp(`${join(dir, 'web_secret_key')} is missing: create it with .*create-secrets\\.sh`),
    );
  });

  it('refuses an empty secret file', () => {
    const dir = secretsDir({ ...ALL, viz_secret_key: '\n' });
    expect(() => loadConfig('viz', { SECRETS_DIR: dir })).toThrow(/viz_secret_key is empty/);
  });

  // Root reads any file whatever its mode (CI runs as root): there the next test gives the same error.
  const asRoot = process.getuid?.() === 0;
  (asRoot ? it.skip : it)('reports an unreadable secret file (not as root, who reads a file of mode 000)', () => {
    const dir = secretsDir(ALL);
    chmodSync(join(dir, 'web_secret_key'), 0);
    expect(() => loadConfig('web', { SECRETS_DIR: dir })).toThrow(/permission denied/);
  });

  it('reports a secret file the system refuses to read (EACCES), as any user', () => {
    const dir = secretsDir(ALL);
    const denied = join(dir, 'web_secret_key');
    const real = fs.readFileSync;
    const spy = jest
      .spyOn(fs, 'readFileSync')
      .mockImplementation((path: fs.PathOrFileDescriptor, options?: unknown) => {
        if (path === denied)
          throw Object.assign(new Error(`EACCES: permission denied, open '${denied}'`), { code: 'EACCES' });
        return real(path, options as BufferEncoding);
      });
    try {
      expect(() => loadConfig('web', { SECRETS_DIR: dir })).toThrow(
        /web_secret_key cannot be read \(permission denied\)/,
      );
      expect(spy).toHaveBeenCalledWith(denied, 'utf8');
    } finally {
      spy.mockRestore();
    }
  });

  it('gives viz only the secrets viz needs', () => {
    const c = loadConfig('viz', { SECRETS_DIR: secretsDir({ db_user_password: 'p', viz_secret_key: 'v' }) });
    expect(Object.keys(c.secrets).sort()).toEqual(['db_user_password', 'viz_secret_key']);
  });

  it('never prints secret values', () => {
    const c = loadConfig('web', { SECRETS_DIR: secretsDir(ALL) });
    const shown = JSON.stringify(c) + inspect(c, { depth: 5 }) + String(c.mysql.password);
    expect(shown).not.toContain('pw');
    expect(shown).toContain('[secret]');
  });

  it('refuses a malformed port with the variable name', () => {
    expect(() => loadConfig('web', { SECRETS_DIR: secretsDir(ALL), WEB_PORT: 'eighty' })).toThrow(
      /WEB_PORT must be an integer/,
    );
    expect(() => loadConfig('web', { SECRETS_DIR: secretsDir(ALL), VIZ_PORT: '70000' })).toThrow(/VIZ_PORT/);
  });

  it('refuses an unknown NODE_ENV and a hostile MYSQL_USER', () => {
    expect(() => loadConfig('web', { SECRETS_DIR: secretsDir(ALL), NODE_ENV: 'prod' })).toThrow(/NODE_ENV/);
    expect(() => loadConfig('web', { SECRETS_DIR: secretsDir(ALL), MYSQL_USER: "x'; DROP" })).toThrow(/MYSQL_USER/);
  });

  it('reads the training limits, with a memory budget of a quarter of the memory by default', () => {
    const c = loadConfig('viz', {
      SECRETS_DIR: secretsDir(ALL),
      TRAIN_MAX_MEMORY_MB: '1024',
      TRAIN_WORKERS: '3',
      TRAIN_MAX_ACTIVE_JOBS: '4',
    });
    expect(c.training).toEqual({ maxMemoryBytes: 1024 * 1_048_576, workers: 3, maxActiveJobs: 4 });
    const d = loadConfig('viz', { SECRETS_DIR: secretsDir(ALL) });
    expect(d.training.maxMemoryBytes).toBe(
      Math.max(64, Math.floor(containerMemoryBytes() / 4 / 1_048_576)) * 1_048_576,
    );
    expect(d.training.maxActiveJobs).toBe(2);
    expect(() => loadConfig('viz', { SECRETS_DIR: secretsDir(ALL), TRAIN_MAX_MEMORY_MB: '10' })).toThrow(
      /TRAIN_MAX_MEMORY_MB must be an integer from 64/,
    );
  });
});

describe("serve's public address (SERVE_PUBLIC_URL)", () => {
  it("is empty by default (web then uses the page's host with SERVE_PORT), kept without a trailing slash, and refused when not http(s)", () => {
    expect(loadConfig('web', { SECRETS_DIR: secretsDir(ALL) }).serve.publicUrl).toBe('');
    expect(
      loadConfig('web', { SECRETS_DIR: secretsDir(ALL), SERVE_PUBLIC_URL: 'https://predict.example.com/' }).serve
        .publicUrl,
    ).toBe('https://predict.example.com');
    expect(() => loadConfig('web', { SECRETS_DIR: secretsDir(ALL), SERVE_PUBLIC_URL: 'predict.example.com' })).toThrow(
      /SERVE_PUBLIC_URL must be an http\(s\) URL/,
    );
    expect(() => loadConfig('web', { SECRETS_DIR: secretsDir(ALL), SERVE_PUBLIC_URL: 'ftp://x' })).toThrow(
      /SERVE_PUBLIC_URL/,
    );
  });
});

describe('containerMemoryBytes', () => {
  it("takes the cgroup limit (v2, then v1) when one is set, else the machine's memory", () => {
    const files =
      (m: Record<string, string>) =>
      (p: string): string | null =>
        m[p] ?? null;
    expect(containerMemoryBytes(files({ '/sys/fs/cgroup/memory.max': '2147483648\n' }))).toBe(2147483648);
    expect(containerMemoryBytes(files({ '/sys/fs/cgroup/memory.max': 'max\n' }))).toBe(totalmem());
    expect(containerMemoryBytes(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '1073741824' }))).toBe(
      1073741824,
    );
    // cgroup v1 says "no limit" with a figure near 2^63
    expect(containerMemoryBytes(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712' }))).toBe(
      totalmem(),
    );
    expect(containerMemoryBytes(files({}))).toBe(totalmem());
  });
});
