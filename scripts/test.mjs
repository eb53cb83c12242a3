// The test command: `node scripts/test.mjs unit|integration|e2e|all`. Runs jest (unit, integration)
// and Playwright (e2e, against web and viz started here), then prints one line adding them up:
// `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startStack } from './stack.mjs';

const mode = process.argv[2] ?? 'all';
const extra = process.argv.slice(3);
mkdirSync('reports', { recursive: true });
const totals = { passed: 0, failed: 0, skipped: 0 };
let broken = false;

function jest(project) {
  const out = `reports/jest-${project}.json`;
  const res = spawnSync(process.execPath, ['node_modules/jest/bin/jest.js', '--selectProjects', project, '--json', `--outputFile=${out}`, ...extra], {
    stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings=ExperimentalWarning`.trim() },
  });
  if (!existsSync(out)) { broken = true; console.error(`jest ${project} wrote no report (exit ${res.status})`); return; }
  const r = JSON.parse(readFileSync(out, 'utf8'));
  totals.passed += r.numPassedTests;
  totals.failed += r.numFailedTests;
  totals.skipped += r.numPendingTests + r.numTodoTests;
  // A suite that fails to load has no failed tests but is a failure all the same.
  const suiteErrors = r.testResults.filter((t) => t.status === 'failed' && t.assertionResults.length === 0).length;
  totals.failed += suiteErrors;
  if (res.status !== 0 && r.numFailedTests === 0 && suiteErrors === 0) broken = true;
}

async function e2e() {
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'web', 'viz'], { stdio: 'inherit' });
  if (build.status !== 0) { broken = true; return; }
  const stack = await startStack({ name: 'e2e', log: 'quiet' });
  try {
    const out = 'reports/e2e.json';
    rmSync(out, { force: true });
    spawnSync(process.execPath, ['node_modules/@playwright/test/cli.js', 'test', '-c', 'e2e/playwright.config.ts', ...extra], {
      stdio: 'inherit',
      env: { ...process.env, E2E_BASE_URL: stack.baseURL, E2E_VIZ_URL: stack.vizURL, E2E_USER: stack.user, E2E_PASSWORD: stack.password, PLAYWRIGHT_JSON_OUTPUT_FILE: join(process.cwd(), out) },
    });
    if (!existsSync(out)) { broken = true; console.error('playwright wrote no report'); return; }
    const s = JSON.parse(readFileSync(out, 'utf8')).stats;
    totals.passed += s.expected;
    totals.failed += s.unexpected + s.flaky * 0;
    totals.skipped += s.skipped;
    totals.passed += s.flaky; // a flaky test passed on retry; Playwright reports it separately
    if (s.unexpected === 0 && (JSON.parse(readFileSync(out, 'utf8')).errors ?? []).length > 0) broken = true;
  } finally {
    await stack.stop();
  }
}

if (mode === 'unit' || mode === 'all') jest('unit');
if (mode === 'integration' || mode === 'all') jest('integration');
if (mode === 'e2e' || mode === 'all') await e2e();
if (broken) totals.failed += 1;
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
