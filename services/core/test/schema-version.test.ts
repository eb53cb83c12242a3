import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../src/migrate.js';

it('SCHEMA_VERSION (what viz waits for) is the newest migration in db/migrations', () => {
  const versions = readdirSync(join(__dirname, '..', '..', '..', 'db', 'migrations'))
    .filter((f) => /^\d+_.*\.sql$/.test(f))
    .map((f) => Number(f.slice(0, f.indexOf('_'))));
  expect(SCHEMA_VERSION).toBe(Math.max(...versions));
});
