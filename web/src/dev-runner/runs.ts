// The run history of the development test runner: the only module that writes SQL for `test_runs`.
import type { Pool, ResultSetHeader, RowDataPacket, TestSuite } from '@enchilada/core';

export type RunStatus = 'running' | 'passed' | 'failed' | 'cancelled' | 'timed_out' | 'error' | 'interrupted';

export interface TestRun {
  readonly id: number;
  readonly suite: TestSuite;
  readonly status: RunStatus;
  readonly startedBy: number | null;
  readonly startedAt: Date;
  readonly durationMs: number | null;
  readonly exitCode: number | null;
  readonly passed: number | null;
  readonly failed: number | null;
  readonly skipped: number | null;
  readonly coveragePct: number | null;
  /** Relative to the reports directory; null once pruned. */
  readonly runDir: string | null;
  /** Relative to runDir. */
  readonly logPath: string | null;
  readonly reportPath: string | null;
  readonly coveragePath: string | null;
}

export interface RunOutcome {
  readonly status: Exclude<RunStatus, 'running'>;
  readonly durationMs: number;
  readonly exitCode: number | null;
  readonly passed: number | null;
  readonly failed: number | null;
  readonly skipped: number | null;
  readonly coveragePct: number | null;
  readonly reportPath: string | null;
  readonly coveragePath: string | null;
}

const STATUSES: readonly RunStatus[] = [
  'running',
  'passed',
  'failed',
  'cancelled',
  'timed_out',
  'error',
  'interrupted',
];

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function toRun(r: RowDataPacket): TestRun {
  const status = STATUSES.find((s) => s === r.status) ?? 'error';
  const suite: TestSuite = r.suite === 'integration' || r.suite === 'e2e' ? r.suite : 'unit';
  return {
    id: Number(r.id),
    suite,
    status,
    startedBy: num(r.started_by),
    startedAt: new Date(r.started_at),
    durationMs: num(r.duration_ms),
    exitCode: num(r.exit_code),
    passed: num(r.passed),
    failed: num(r.failed),
    skipped: num(r.skipped),
    coveragePct: num(r.coverage_pct),
    runDir: str(r.run_dir),
    logPath: str(r.log_path),
    reportPath: str(r.report_path),
    coveragePath: str(r.coverage_path),
  };
}

export class TestRunRepository {
  constructor(private readonly pool: Pool) {}

  async create(suite: TestSuite, startedBy: number | null): Promise<number> {
    const [res] = await this.pool.query<ResultSetHeader>(
      'INSERT INTO test_runs (suite, status, started_by) VALUES (?, ?, ?)',
      [suite, 'running', startedBy],
    );
    return res.insertId;
  }

  async setFiles(id: number, runDir: string, logPath: string): Promise<void> {
    await this.pool.query('UPDATE test_runs SET run_dir = ?, log_path = ? WHERE id = ?', [runDir, logPath, id]);
  }

  async finish(id: number, o: RunOutcome): Promise<void> {
    await this.pool.query(
      `UPDATE test_runs SET status = ?, duration_ms = ?, exit_code = ?, passed = ?, failed = ?, skipped = ?,
        coverage_pct = ?, report_path = ?, coverage_path = ? WHERE id = ?`,
      [
        o.status,
        o.durationMs,
        o.exitCode,
        o.passed,
        o.failed,
        o.skipped,
        o.coveragePct,
        o.reportPath,
        o.coveragePath,
        id,
      ],
    );
  }

  async get(id: number): Promise<TestRun | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT * FROM test_runs WHERE id = ?', [id]);
    return rows[0] ? toRun(rows[0]) : null;
  }

  async recent(limit: number): Promise<TestRun[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT * FROM test_runs ORDER BY id DESC LIMIT ?', [limit]);
    return rows.map(toRun);
  }

  /** The newest run of each suite. */
  async latest(): Promise<Map<TestSuite, TestRun>> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT t.* FROM test_runs t JOIN (SELECT suite, MAX(id) AS id FROM test_runs GROUP BY suite) m ON m.id = t.id',
    );
    return new Map(rows.map(toRun).map((r) => [r.suite, r]));
  }

  /** The newest finished run that still has a report on disk. */
  async latestWithReport(): Promise<TestRun | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT * FROM test_runs WHERE report_path IS NOT NULL OR coverage_path IS NOT NULL ORDER BY id DESC LIMIT 1',
    );
    return rows[0] ? toRun(rows[0]) : null;
  }

  /** Runs of a suite beyond the newest `keep` that still have files on disk. */
  async beyond(suite: TestSuite, keep: number): Promise<TestRun[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT * FROM test_runs WHERE suite = ? AND status <> 'running' AND run_dir IS NOT NULL
        AND id < COALESCE((SELECT MIN(id) FROM (SELECT id FROM test_runs WHERE suite = ? ORDER BY id DESC LIMIT ?) k), 0)`,
      [suite, suite, keep],
    );
    return rows.map(toRun);
  }

  async forgetFiles(id: number): Promise<void> {
    await this.pool.query(
      'UPDATE test_runs SET run_dir = NULL, log_path = NULL, report_path = NULL, coverage_path = NULL WHERE id = ?',
      [id],
    );
  }

  /** Runs left 'running' by a server that stopped: their process died with it. */
  async interruptStale(): Promise<number> {
    const [res] = await this.pool.query<ResultSetHeader>(
      "UPDATE test_runs SET status = 'interrupted' WHERE status = 'running'",
    );
    return res.affectedRows;
  }
}
