// Development mode only: the Run Tests page. Administrators start the unit, integration and
// end-to-end suites in child processes, follow their output live (Server-Sent Events), cancel them,
// and read the HTML test and coverage reports each run kept. app.ts registers this plugin only when
// config.env is 'development'; elsewhere none of these routes exists.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  ConflictError,
  NotFoundError,
  TEST_SUITES,
  type Pool,
  type TestRunnerConfig,
  type TestSuite,
} from '@enchilada/core';
import { TestRunner } from '../dev-runner/runner.js';
import { TestRunRepository, type TestRun } from '../dev-runner/runs.js';
import { notify } from '../plugins/pages.js';
import { idParams } from './schemas.js';

export interface DevTestRouteOptions {
  readonly pool: Pool;
  readonly config: TestRunnerConfig;
  /** The repository root, where the suites run. */
  readonly rootDir: string;
  /** Replaces a suite's command (argv; `{runDir}` is the run's folder). Tests use tiny fake suites. */
  readonly commands?: Partial<Record<TestSuite, readonly string[]>>;
}

const SUITES: Readonly<Record<TestSuite, { title: string; about: string }>> = {
  unit: { title: 'Unit', about: 'jest, no I/O; HTML report and Istanbul coverage' },
  integration: {
    title: 'Integration',
    about: 'jest against the database server (a fresh database per test file); HTML report and coverage',
  },
  e2e: {
    title: 'End-to-end',
    about: 'Playwright in Chromium against a web + viz stack it starts; Playwright HTML report',
  },
};

// The reports are static HTML written by jest-html-reporters, Istanbul and Playwright, which rely
// on their own inline scripts and styles: only their routes get this looser policy.
const REPORT_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "frame-ancestors 'self'",
  "form-action 'none'",
].join('; ');

const ADMIN = { admin: true } as const;
const suiteParams = Type.Object({ suite: Type.Enum(TEST_SUITES) });
const fileParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  '*': Type.String({ pattern: '^(report|coverage)/[A-Za-z0-9_.\\-/]{1,300}$' }),
});
const started = { 202: Type.Object({ id: Type.Integer(), suite: Type.String() }) };
const runQuery = Type.Object({ show: Type.Optional(Type.Enum(['report', 'coverage'])) });

function wantsPage(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export default async function devTestRoutes(instance: FastifyInstance, opts: DevTestRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const runs = new TestRunRepository(opts.pool);
  const runner = new TestRunner({
    config: opts.config,
    rootDir: opts.rootDir,
    runs,
    commands: opts.commands,
    onError: (err, msg) => app.log.error({ err }, msg),
  });
  app.addHook('onReady', async () => {
    const n = await runner.recover();
    if (n) app.log.info({ runs: n }, 'test runs left running by an earlier server marked interrupted');
  });
  app.addHook('onClose', async () => runner.close());

  async function run(id: number): Promise<TestRun> {
    const r = await runs.get(id);
    if (!r) throw new NotFoundError('there is no such test run');
    return r;
  }

  const view = { suites: SUITES, formatDuration };

  app.get('/dev/tests', { config: ADMIN }, async (_req, reply) => {
    const latest = await runs.latest();
    const running = runner.running();
    const rows = TEST_SUITES.map((suite) => ({
      suite,
      ...SUITES[suite],
      last: latest.get(suite) ?? null,
      runningId: running.get(suite) ?? null,
    }));
    return reply.page('dev-tests.ejs', {
      title: 'Run tests',
      active: 'dev-tests',
      rows,
      history: await runs.recent(30),
      ...view,
    });
  });

  // The page's script lives outside web/public, so production serves no part of the runner.
  app.get('/dev/tests/assets/dev-tests.js', { config: ADMIN }, async (_req, reply) =>
    reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .sendFile('dev-tests.js', join(opts.rootDir, 'web', 'dev-assets'), { cacheControl: false }),
  );

  app.get('/dev/tests/reports', { config: ADMIN }, async (_req, reply) => {
    const r = await runs.latestWithReport();
    if (r) return reply.redirect(`/dev/tests/runs/${r.id}`, 302);
    notify(reply, 'info', 'No run has a report yet: run a suite first.');
    return reply.redirect('/dev/tests', 302);
  });

  app.get(
    '/dev/tests/runs/:id',
    {
      config: ADMIN,
      schema: {
        params: idParams,
        querystring: runQuery,
      },
    },
    async (req, reply) => {
      const r = await run(req.params.id);
      const live = runner.live(r.id);
      let output = live ? live.output() : '';
      const dir = runner.runDirPath(r);
      if (!live && dir && r.logPath) output = await readFile(join(dir, r.logPath), 'utf8').catch(() => '');
      const show = req.query.show ?? (r.reportPath ? 'report' : 'coverage');
      const file = show === 'report' ? r.reportPath : r.coveragePath;
      const frame = file ? `/dev/tests/runs/${r.id}/files/${file}` : null;
      return reply.page('dev-test-run.ejs', {
        title: `${SUITES[r.suite].title} run #${r.id}`,
        active: 'dev-tests',
        run: r,
        live: Boolean(live),
        output,
        show,
        frame,
        ...view,
      });
    },
  );

  // Live output through the normal session: what was printed so far, then each chunk as it comes,
  // then an `end` event with the recorded run.
  app.get('/dev/tests/runs/:id/events', { config: ADMIN, schema: { params: idParams } }, async (req, reply) => {
    const r = await run(req.params.id);
    const stream = new PassThrough();
    const send = (event: string, data: unknown) => {
      if (!stream.writableEnded) stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const live = runner.live(r.id);
    if (live) {
      send('output', live.output());
      const ping = setInterval(() => {
        if (!stream.writableEnded) stream.write(': ping\n\n');
      }, 15_000);
      const stop = () => {
        clearInterval(ping);
        off();
        stream.end();
      };
      const off = live.subscribe({
        output: (chunk) => send('output', chunk),
        end: (done) => {
          send('end', done);
          stop();
        },
      });
      // The response's close, not the request's: a GET's request stream closes once read.
      reply.raw.once('close', stop);
    } else {
      const dir = runner.runDirPath(r);
      send('output', dir && r.logPath ? await readFile(join(dir, r.logPath), 'utf8').catch(() => '') : '');
      send('end', r);
      stream.end();
    }
    reply.header('content-type', 'text/event-stream; charset=utf-8').header('x-accel-buffering', 'no');
    return reply.send(stream);
  });

  app.get('/dev/tests/runs/:id/files/*', { config: ADMIN, schema: { params: fileParams } }, async (req, reply) => {
    const r = await run(req.params.id);
    const dir = runner.runDirPath(r);
    const rel = req.params['*'];
    if (!dir || rel.split('/').some((part) => part === '..' || part === ''))
      throw new NotFoundError('this report is no longer kept');
    reply.header('content-security-policy', REPORT_CSP);
    return reply.sendFile(rel, dir, { cacheControl: false, dotfiles: 'deny' });
  });

  app.post(
    '/dev/tests/:suite/run',
    {
      config: ADMIN,
      schema: { params: suiteParams, response: started },
    },
    async (req, reply) => {
      const id = await runner.start(req.params.suite, req.user?.id ?? null);
      req.log.info({ suite: req.params.suite, run: id }, 'test run started');
      if (wantsPage(req)) return reply.redirect(`/dev/tests/runs/${id}`, 303);
      return reply.code(202).send({ id, suite: req.params.suite });
    },
  );

  app.post('/dev/tests/runs/:id/cancel', { config: ADMIN, schema: { params: idParams } }, async (req, reply) => {
    const r = await run(req.params.id);
    const live = runner.live(r.id);
    if (!live || !runner.cancel(r.id)) throw new ConflictError(`Run #${r.id} is not running (it ended: ${r.status}).`);
    await live.done;
    if (wantsPage(req)) {
      notify(reply, 'info', `Cancelled run #${r.id}.`);
      return reply.redirect(`/dev/tests/runs/${r.id}`, 303);
    }
    return reply.code(204).send();
  });
}
