// Runs a test suite in a child process in its own process group (never inside the server, so no
// module cache can make results stale), one run per suite at a time. Output goes to a log file and
// to live listeners; a run past the time limit is killed with its whole group; the outcome is
// recorded in test_runs and only the newest runs per suite keep their files.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, type TestRunnerConfig, type TestSuite } from '@enchilada/core';
import { parseCounts, readCoverage, reportFiles } from './results.js';
import type { RunStatus, TestRun, TestRunRepository } from './runs.js';

export interface RunListener {
  output(chunk: string): void;
  end(run: TestRun): void;
}

export interface TestRunnerOptions {
  readonly config: TestRunnerConfig;
  /** The repository root: the child's working directory. */
  readonly rootDir: string;
  readonly runs: TestRunRepository;
  /**
   * The command per suite (argv, `{runDir}` replaced by the run's folder). The default is
   * `node scripts/test.mjs <suite> --run-dir=<folder>` plus the configured arguments.
   */
  readonly commands?: Partial<Record<TestSuite, readonly string[]>>;
  readonly onError?: (err: unknown, msg: string) => void;
}

const LOG_FILE = 'output.log';
/** Live output kept in memory for late subscribers; the log file has all of it. */
const MAX_BUFFER = 1 << 20;
const KILL_GRACE_MS = 5000;
const RUN_DIR = /^\d+-[a-z0-9]+$/;

export class LiveRun {
  private buffer = '';
  private readonly listeners = new Set<RunListener>();
  stopReason: 'cancelled' | 'timed_out' | null = null;
  child: ChildProcess | null = null;
  done: Promise<void> = Promise.resolve();

  constructor(
    readonly id: number,
    readonly suite: TestSuite,
    readonly startedAt: number,
  ) {}

  /** Everything printed so far (the last megabyte of it). */
  output(): string {
    return this.buffer;
  }

  append(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > MAX_BUFFER) this.buffer = this.buffer.slice(-MAX_BUFFER);
    for (const l of this.listeners) l.output(chunk);
  }

  subscribe(listener: RunListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  ended(run: TestRun): void {
    for (const l of this.listeners) l.end(run);
    this.listeners.clear();
  }
}

export class TestRunner {
  /** A suite maps to its live run, or to null while the run is being set up. */
  private readonly busy = new Map<TestSuite, LiveRun | null>();

  constructor(private readonly opts: TestRunnerOptions) {}

  get reportsDir(): string {
    return this.opts.config.reportsDir;
  }

  /** The folder of a run's files, or null when they were pruned. */
  runDirPath(run: TestRun): string | null {
    return run.runDir && RUN_DIR.test(run.runDir) ? join(this.reportsDir, run.runDir) : null;
  }

  live(id: number): LiveRun | undefined {
    for (const r of this.busy.values()) if (r && r.id === id) return r;
    return undefined;
  }

  running(): Map<TestSuite, number> {
    const out = new Map<TestSuite, number>();
    for (const [suite, r] of this.busy) if (r) out.set(suite, r.id);
    return out;
  }

  /** Marks runs that a stopped server left 'running' as interrupted. */
  recover(): Promise<number> {
    return this.opts.runs.interruptStale();
  }

  async start(suite: TestSuite, userId: number | null): Promise<number> {
    const current = this.busy.get(suite);
    if (current !== undefined) {
      throw new ConflictError(
        `The ${suite} suite is already running${current ? ` (run #${current.id})` : ''}: wait for it to finish or cancel it.`,
      );
    }
    this.busy.set(suite, null);
    try {
      const id = await this.opts.runs.create(suite, userId);
      const runDir = `${id}-${suite}`;
      const dir = join(this.reportsDir, runDir);
      // A folder left by an earlier database with the same run numbers is not this run's.
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await this.opts.runs.setFiles(id, runDir, LOG_FILE);
      const live = new LiveRun(id, suite, Date.now());
      this.busy.set(suite, live);
      live.done = this.spawn(live, dir);
      return id;
    } catch (err) {
      this.busy.delete(suite);
      throw err;
    }
  }

  /** Stops a live run and its children; false when the run is not running. */
  cancel(id: number): boolean {
    const live = this.live(id);
    if (!live) return false;
    live.stopReason ??= 'cancelled';
    this.terminate(live);
    return true;
  }

  /** Kills every live run (the server is stopping) and waits until each is recorded. */
  async close(): Promise<void> {
    const all = [...this.busy.values()].filter((r): r is LiveRun => r !== null);
    for (const r of all) {
      r.stopReason ??= 'cancelled';
      this.signal(r, 'SIGKILL');
    }
    await Promise.all(all.map((r) => r.done));
  }

  private command(suite: TestSuite, dir: string): readonly string[] {
    const custom = this.opts.commands?.[suite];
    if (custom) return custom.map((a) => a.replaceAll('{runDir}', dir));
    return [process.execPath, 'scripts/test.mjs', suite, `--run-dir=${dir}`, ...this.opts.config.args[suite]];
  }

  private spawn(live: LiveRun, dir: string): Promise<void> {
    const [cmd, ...args] = this.command(live.suite, dir);
    const log: WriteStream = createWriteStream(join(dir, LOG_FILE));
    const write = (chunk: string) => {
      log.write(chunk);
      live.append(chunk);
    };
    write(`$ ${[cmd, ...args].join(' ')}\n`);
    return new Promise<void>((resolve) => {
      let spawnError: Error | null = null;
      let finished = false;
      // detached: the child leads its own process group, so a kill reaches jest's workers,
      // the e2e stack and Chromium too.
      const child = spawn(cmd ?? process.execPath, args, {
        cwd: this.opts.rootDir,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      live.child = child;
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', write);
      child.stderr.on('data', write);
      const timer = setTimeout(() => {
        live.stopReason ??= 'timed_out';
        write(`\nKilled: the run passed the time limit of ${Math.round(this.opts.config.timeoutMs / 1000)} s.\n`);
        this.terminate(live);
      }, this.opts.config.timeoutMs);
      const finish = (code: number | null) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        this.finish(live, dir, code, spawnError, log)
          .catch((err: unknown) => this.opts.onError?.(err, `recording test run ${live.id} failed`))
          .finally(resolve);
      };
      child.on('error', (err) => {
        spawnError = err;
        write(`\nCould not run the suite: ${err.message}\n`);
        if (child.pid === undefined) finish(null);
      });
      // Anything the leader left behind in its group goes too; 'close' follows once the pipes close.
      child.on('exit', () => this.signal(live, 'SIGKILL'));
      child.on('close', (code) => finish(code));
    });
  }

  private async finish(
    live: LiveRun,
    dir: string,
    code: number | null,
    spawnError: Error | null,
    log: WriteStream,
  ): Promise<void> {
    const durationMs = Date.now() - live.startedAt;
    const status: Exclude<RunStatus, 'running'> =
      live.stopReason ?? (spawnError ? 'error' : code === 0 ? 'passed' : 'failed');
    if (live.stopReason === 'cancelled') {
      log.write('\nCancelled.\n');
      live.append('\nCancelled.\n');
    }
    await new Promise<void>((r) => log.end(r));
    // The counts line may have scrolled out of the in-memory buffer only if the run printed more than it holds.
    const text = live.output().length < MAX_BUFFER ? live.output() : await readFile(join(dir, LOG_FILE), 'utf8');
    const counts = parseCounts(text);
    const files = reportFiles(dir);
    try {
      await this.opts.runs.finish(live.id, {
        status,
        durationMs,
        exitCode: code,
        passed: counts?.passed ?? null,
        failed: counts?.failed ?? null,
        skipped: counts?.skipped ?? null,
        coveragePct: await readCoverage(dir),
        ...files,
      });
      await this.prune(live.suite).catch((err: unknown) =>
        this.opts.onError?.(err, `pruning old ${live.suite} runs failed`),
      );
      const run = await this.opts.runs.get(live.id);
      if (run) live.ended(run);
    } finally {
      this.busy.delete(live.suite);
    }
  }

  private async prune(suite: TestSuite): Promise<void> {
    for (const old of await this.opts.runs.beyond(suite, this.opts.config.keep)) {
      const dir = this.runDirPath(old);
      if (dir) await rm(dir, { recursive: true, force: true });
      await this.opts.runs.forgetFiles(old.id);
    }
  }

  private terminate(live: LiveRun): void {
    this.signal(live, 'SIGTERM');
    const child = live.child;
    if (!child) return;
    const kill = setTimeout(() => this.signal(live, 'SIGKILL'), KILL_GRACE_MS);
    kill.unref();
    child.once('close', () => clearTimeout(kill));
  }

  private signal(live: LiveRun, sig: NodeJS.Signals): void {
    const pid = live.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // ESRCH: the group is gone already.
    }
  }
}
