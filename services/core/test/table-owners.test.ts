// Each table belongs to one package (docs/architecture.md): every package declares the tables it
// owns in src/owned-tables.ts, every table the migrations create has exactly one owner, and no
// package's SQL writes (INSERT, UPDATE, DELETE, REPLACE, TRUNCATE) a table another package owns.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const OWNERS = [
  'services/core',
  'services/data',
  'services/jobs',
  'services/models',
  'services/users',
  'web',
  'serve',
] as const;
// Packages that own no table: they read through the owners' code, and must write nothing.
const READERS = ['services/ml', 'viz'] as const;

async function ownTables(pkg: string): Promise<readonly string[]> {
  const m = (await import(join(ROOT, pkg, 'src', 'owned-tables.ts'))) as { OWN_TABLES: readonly string[] };
  return m.OWN_TABLES;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** The tables a source file's SQL writes, by name (ON DUPLICATE KEY UPDATE is an insert's clause, not a write of its own). */
function writtenTables(text: string): string[] {
  const sql = text.replace(/ON DUPLICATE KEY UPDATE/g, '');
  const found = sql.matchAll(
    /\b(?:INSERT(?: IGNORE)? INTO|REPLACE INTO|UPDATE|DELETE FROM|TRUNCATE(?: TABLE)?)\s+`?([a-z_][a-z0-9_]*)`?/g,
  );
  return [...new Set([...found].map((m) => m[1] ?? ''))].filter((t) => t !== '');
}

describe('table owners', () => {
  it('finds the tables a statement writes, and not the columns of ON DUPLICATE KEY UPDATE', () => {
    expect(
      writtenTables(
        'INSERT INTO hits (n) VALUES (?) ON DUPLICATE KEY UPDATE errors = errors + 1; UPDATE `jobs` SET x = 1; DELETE FROM users',
      ),
    ).toEqual(['hits', 'jobs', 'users']);
  });

  it('gives every table the migrations create exactly one owning package', async () => {
    const owners = new Map<string, string[]>();
    for (const pkg of OWNERS) for (const t of await ownTables(pkg)) owners.set(t, [...(owners.get(t) ?? []), pkg]);
    const dir = join(ROOT, 'db', 'migrations');
    const created = new Set(
      readdirSync(dir)
        .filter((f) => f.endsWith('.sql'))
        .flatMap((f) =>
          [
            ...readFileSync(join(dir, f), 'utf8').matchAll(/CREATE TABLE(?: IF NOT EXISTS)?\s+`?([a-z_][a-z0-9_]*)/gi),
          ].map((m) => m[1] ?? ''),
        ),
    );
    const unowned = [...created].filter((t) => !owners.has(t));
    const shared = [...owners].filter(([, pkgs]) => pkgs.length > 1);
    expect({ unowned, shared }).toEqual({ unowned: [], shared: [] });
  });

  it('lets no package write a table another package owns', async () => {
    const owner = new Map<string, string>();
    for (const pkg of OWNERS) for (const t of await ownTables(pkg)) owner.set(t, pkg);
    const trespasses: string[] = [];
    for (const pkg of [...OWNERS, ...READERS]) {
      for (const file of sources(join(ROOT, pkg, 'src'))) {
        for (const table of writtenTables(readFileSync(file, 'utf8'))) {
          const by = owner.get(table);
          if (by !== undefined && by !== pkg)
            trespasses.push(`${relative(ROOT, file)} writes ${table} (owned by ${by})`);
        }
      }
    }
    expect(trespasses).toEqual([]);
  });
});
