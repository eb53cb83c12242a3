// Secrets are files (Docker secrets in /run/secrets, or SECRETS_DIR on a host); their values are
// read into memory only, never into environment variables or logs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors.js';

export const SECRET_NAMES = [
  'db_root_password',
  'db_user_password',
  'db_serve_password',
  'web_secret_key',
  'viz_secret_key',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** A secret value that does not print itself. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[secret]';
  }
}

const HOW = 'create it with `bash secrets/create-secrets.sh` (or write the value into that file yourself)';

export function readSecret(dir: string, name: SecretName): Secret {
  const path = join(dir, name);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'is missing'
        : code === 'EACCES'
          ? 'cannot be read (permission denied)'
          : `cannot be read (${code ?? 'error'})`;
    throw new ConfigError(`secret file ${path} ${why}: ${HOW}`);
  }
  // A trailing newline from `echo … > file` is not part of the secret.
  const value = text.replace(/\r?\n$/, '');
  if (value.trim() === '') throw new ConfigError(`secret file ${path} is empty: ${HOW}`);
  return new Secret(value);
}
