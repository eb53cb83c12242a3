// What a finished run left behind: the counts line every test command ends with, the coverage
// percentage from Istanbul's json-summary, and which HTML reports exist.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Counts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** The last `N passed, N failed, N skipped` line of the output (scripts/test.mjs prints it). */
export function parseCounts(output: string): Counts | null {
  let last: Counts | null = null;
  for (const m of output.matchAll(/^(\d+) passed, (\d+) failed, (\d+) skipped\s*$/gm)) {
    last = { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3]) };
  }
  return last;
}

/** Line coverage of the whole run, in percent, or null when the run measured none. */
export async function readCoverage(runDir: string): Promise<number | null> {
  try {
    const summary: unknown = JSON.parse(await readFile(join(runDir, 'coverage', 'coverage-summary.json'), 'utf8'));
    if (typeof summary !== 'object' || summary === null || !('total' in summary)) return null;
    const total: unknown = summary.total;
    if (typeof total !== 'object' || total === null || !('lines' in total)) return null;
    const lines: unknown = total.lines;
    if (typeof lines !== 'object' || lines === null || !('pct' in lines)) return null;
    return typeof lines.pct === 'number' && Number.isFinite(lines.pct) ? lines.pct : null;
  } catch {
    return null;
  }
}

export const REPORT_FILE = 'report/index.html';
export const COVERAGE_FILE = 'coverage/index.html';

export function reportFiles(runDir: string): { reportPath: string | null; coveragePath: string | null } {
  return {
    reportPath: existsSync(join(runDir, REPORT_FILE)) ? REPORT_FILE : null,
    coveragePath: existsSync(join(runDir, COVERAGE_FILE)) ? COVERAGE_FILE : null,
  };
}
