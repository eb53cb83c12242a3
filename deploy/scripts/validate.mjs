// Validates rendered Kubernetes objects against the Kubernetes OpenAPI schema, twice over:
//  1. kubernetes-models' validators (JSON Schema compiled from the OpenAPI document): types, formats,
//     required fields, enums;
//  2. the same package's TypeScript interfaces, type-checked as object literals, because the OpenAPI
//     schema allows unknown fields: `readinesProbe:` would pass (1) and silently do nothing in a
//     cluster, as `kubectl apply --validate=strict` would catch. tsc's excess-property check catches it.
// Usage: node deploy/scripts/validate.mjs rendered.yaml…  →  one JSON line {"objects":N,"errors":[…]}
// An ES module script because kubernetes-models ships only ES modules (jest runs CommonJS here).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const deployDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(deployDir, 'package.json'));

/** `apps/v1` → `apps/v1`, `v1` → `v1`: the module path of a kind in kubernetes-models. */
const modulePath = (apiVersion, kind) => `kubernetes-models/${apiVersion}/${kind}`;

const errors = [];
const objects = [];
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length) {
      errors.push(`${file}: ${doc.errors[0].message}`);
      continue;
    }
    const obj = doc.toJS();
    if (obj) objects.push({ file, obj });
  }
}

for (const { file, obj } of objects) {
  const where = `${file}: ${obj.kind}/${obj.metadata?.name}`;
  let Model;
  try {
    Model = (await import(modulePath(obj.apiVersion, obj.kind)))[obj.kind];
  } catch {
    errors.push(`${where}: unknown apiVersion/kind ${obj.apiVersion} ${obj.kind}`);
    continue;
  }
  try {
    new Model(obj).validate();
  } catch (err) {
    errors.push(`${where}: ${err.message}`);
  }
}

// The strict pass: one typed constant per object, checked by the workspace's TypeScript.
const dir = mkdtempSync(join(deployDir, '.validate-'));
try {
  const lines = [];
  objects.forEach(({ obj }, i) => {
    lines.push(`import type { I${obj.kind} as T${i} } from '${modulePath(obj.apiVersion, obj.kind)}';`);
  });
  objects.forEach(({ file, obj }, i) => {
    lines.push(`// ${file}: ${obj.kind}/${obj.metadata?.name}`, `export const o${i}: T${i} = ${JSON.stringify(obj)};`);
  });
  writeFileSync(join(dir, 'objects.ts'), lines.join('\n') + '\n');
  const tsc = require.resolve('typescript/bin/tsc');
  const res = spawnSync(
    process.execPath,
    [
      tsc,
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      '--target',
      'es2022',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      join(dir, 'objects.ts'),
    ],
    { encoding: 'utf8', cwd: deployDir },
  );
  if (res.status !== 0) {
    const src = readFileSync(join(dir, 'objects.ts'), 'utf8').split('\n');
    for (const line of (res.stdout + res.stderr).split('\n').filter((l) => l.includes('error TS'))) {
      const m = /objects\.ts\((\d+),\d+\): (error TS\d+: .*)/.exec(line);
      errors.push(m ? `${src[Number(m[1]) - 2]?.slice(3) ?? '?'}: ${m[2]}` : line);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(JSON.stringify({ objects: objects.length, errors }));
