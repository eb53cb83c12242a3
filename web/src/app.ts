// Builds the web Fastify app from its dependencies; main.ts wires real ones, tests their own.
import { parse as parseQuery } from 'node:querystring';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import ejs from 'ejs';
import {
  type HttpError,
  httpStatus,
  loggerOptions,
  secret,
  type Config,
  type Pool,
  type TestSuite,
} from '@enchilada/core';
import session from './plugins/session.js';
import guard, { wantsHtml } from './plugins/guard.js';
import vizProxy from './plugins/viz-proxy.js';
import authRoutes from './routes/auth.js';
import healthRoutes from './routes/health.js';
import pageRoutes from './routes/pages.js';
import datasetRoutes from './routes/datasets.js';
import exploreRoutes from './routes/explore.js';
import explainRoutes from './routes/explain.js';
import trainRoutes from './routes/train.js';
import compareRoutes from './routes/compare.js';
import servingRoutes from './routes/serving.js';
import challengerRoutes from './routes/challenger.js';
import batchRoutes from './routes/batch.js';
import { BatchScoring } from './serving/batch-scoring.js';
import { JobQueue } from '@enchilada/jobs';
import {
  AlertStore,
  ApiKeys,
  Challengers,
  ModelRegistry,
  Predictions,
  PublishedModels,
  TutorialMode,
} from '@enchilada/models';
import alertRoutes, { alertsPanel } from './routes/alerts.js';
import { AlertEvaluator } from './alerts/evaluator.js';
import pages from './plugins/pages.js';
import { Catalog, Loads, ToyDatasets, UploadStore } from '@enchilada/data';
import { UserRepository, UserService } from '@enchilada/users';
import userRoutes from './routes/users.js';

export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly public: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    registeredRoutes: readonly RegisteredRoute[];
  }
}

export interface WebDeps {
  readonly config: Config;
  readonly pool: Pool;
  /** The web package folder (views/, public/). */
  readonly webDir: string;
  /** db/datasets: the toy datasets and their descriptions. */
  readonly datasetsDir: string;
  readonly logger?: boolean;
  /** Development mode's test runner: a command per suite instead of scripts/test.mjs (tests use tiny fake suites). */
  readonly testCommands?: Partial<Record<TestSuite, readonly string[]>>;
  /** Milliseconds since the epoch; tests move it to outlive a session. */
  readonly clock?: () => number;
}

function packageDir(name: string, from: string): string {
  const req = createRequire(join(from, 'package.json'));
  return join(req.resolve(`${name}/package.json`), '..');
}

export async function buildApp(deps: WebDeps): Promise<FastifyInstance> {
  const { config, pool, webDir } = deps;
  const app = Fastify({
    logger: deps.logger === false ? false : loggerOptions(config),
    trustProxy: false,
    bodyLimit: 1024 * 1024,
    routerOptions: {
      ignoreTrailingSlash: true,
      // A GET form sends its blank fields as `name=`: blank means not given, so "all datasets" or
      // an empty date filter is no filter rather than a 400 from the route's schema.
      querystringParser: (str) => {
        const q = parseQuery(str) as Record<string, unknown>;
        for (const k of Object.keys(q)) if (q[k] === '') delete q[k];
        return q;
      },
    },
  });
  // Set before any plugin is registered: child contexts take the handlers they see when created.
  app.setNotFoundHandler(async (req, reply) => {
    if (!req.user && !wantsHtml(req)) return reply.code(404).send({ message: 'not found' });
    if (wantsHtml(req))
      return reply.code(404).view('error.ejs', {
        title: 'Not found',
        status: 404,
        message: 'There is no page at this address.',
        user: req.user ?? null,
        active: '',
      });
    return reply.code(404).send({ message: 'not found' });
  });

  app.setErrorHandler(async (err: FastifyError | HttpError, req, reply) => {
    const status = httpStatus(err);
    if (status >= 500) req.log.error({ err }, 'request failed');
    // CSRF failures come from the plugin as 403 with its own code.
    const message = status >= 500 ? 'Something went wrong on our side. It has been logged.' : err.message;
    if (wantsHtml(req) || (req.method === 'POST' && (req.headers.accept ?? '').includes('text/html'))) {
      return reply.code(status).view('error.ejs', {
        title: status >= 500 ? 'Error' : 'Request refused',
        status,
        message,
        user: req.user ?? null,
        active: '',
      });
    }
    // A schema refusal names its field as the other 400s do: '/preprocessing/encoding' → 'preprocessing.encoding'.
    const path = (err as FastifyError).validation?.[0]?.instancePath;
    const field = (err as { field?: unknown }).field ?? (path ? path.slice(1).replace(/\//g, '.') : undefined);
    return reply
      .code(status)
      .send({ message, code: (err as HttpError).code ?? 'error', ...(typeof field === 'string' ? { field } : {}) });
  });

  const users = new UserService(new UserRepository(pool), deps.clock);
  // Static files are public: they hold no data.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/static/')) route.config = { ...(route.config ?? {}), public: true };
  });
  // Every route as registered, so tests can prove none escapes the sign-in check.
  const registered: RegisteredRoute[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat())
      registered.push({ method, url: r.url ?? r.path, public: r.config?.public === true });
  });
  app.decorate('registeredRoutes', registered);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // BokehJS compiles CustomJS callbacks with new Function, hence 'unsafe-eval'; no inline scripts.
        scriptSrc: ["'self'", "'unsafe-eval'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    strictTransportSecurity: false,
  });
  await app.register(formbody);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      code: 'rate_limited',
      error: 'Too Many Requests',
      message: `Too many attempts. Try again in ${Math.ceil(ctx.ttl / 1000)} s.`,
    }),
  });
  await app.register(view, {
    engine: { ejs },
    root: join(webDir, 'views'),
    defaultContext: { appName: 'Enchilada', devTools: config.env === 'development' },
  });
  await app.register(session, {
    secretKey: secret(config, 'web_secret_key'),
    users,
    maxAgeHours: config.sessionMaxHours,
    clock: deps.clock,
  });
  await app.register(guard);
  const catalog = new Catalog(pool);
  const alertStore = new AlertStore(pool, (name) =>
    config.publicUrl ? `${config.publicUrl}/published/${name}/monitor` : null,
  );
  await app.register(pages, { catalog, banner: () => alertStore.open() });

  const staticOpts = { decorateReply: false, maxAge: '1h', immutable: false } as const;
  await app.register(fastifyStatic, {
    root: join(webDir, 'public'),
    prefix: '/static/app/',
    ...staticOpts,
    decorateReply: true,
  });
  await app.register(fastifyStatic, {
    root: join(packageDir('bootstrap', webDir), 'dist'),
    prefix: '/static/bootstrap/',
    ...staticOpts,
  });
  await app.register(fastifyStatic, {
    root: join(packageDir('@bokeh/bokehjs', webDir), 'build', 'js'),
    prefix: '/static/bokeh/',
    ...staticOpts,
  });

  await app.register(healthRoutes, { pool });
  await app.register(authRoutes, { users, rateLimit: config.loginRateLimit });
  const registry = new ModelRegistry(pool);
  const published = new PublishedModels(pool);
  const predictions = new Predictions(pool);
  await app.register(pageRoutes, { catalog, registry, published, predictions });
  await app.register(userRoutes, { users, publicUrl: config.publicUrl, rateLimit: config.loginRateLimit });
  await app.register(datasetRoutes, {
    pool,
    catalog,
    toys: new ToyDatasets(deps.datasetsDir),
    loads: new Loads(pool),
    uploads: new UploadStore(config.uploadDir, config.uploadMaxBytes, config.uploadQuota),
  });
  await app.register(exploreRoutes);
  await app.register(explainRoutes, { pool, registry });
  await app.register(trainRoutes, { catalog, queue: new JobQueue(pool), registry, config });
  await app.register(compareRoutes, { catalog, queue: new JobQueue(pool), config });
  await app.register(servingRoutes, {
    registry,
    published,
    apiKeys: new ApiKeys(pool),
    predictions,
    tutorial: new TutorialMode(pool),
    serve: { port: config.serve.port, publicUrl: config.serve.publicUrl, seedModelName: config.serve.seedModelName },
    alertsPanel: (name, user) => alertsPanel({ store: alertStore, published, registry }, name, user),
  });
  await app.register(alertRoutes, { store: alertStore, published, registry });
  // The alert evaluator runs in a listening web process (each replica; the lease picks one), not in inject-only tests.
  if (config.alerts.intervalMs > 0) {
    const evaluator = new AlertEvaluator(
      { pool, store: alertStore, published, registry, catalog, log: app.log },
      {
        intervalMs: config.alerts.intervalMs,
        webhook: {
          timeoutMs: config.alerts.webhookTimeoutMs,
          retryDelaysMs: [1000, 4000, 16000],
          allowPrivate: config.alerts.webhookAllowPrivate,
          allowedHosts: config.alerts.webhookHosts,
        },
      },
    );
    app.addHook('onListen', async () => evaluator.start());
    app.addHook('onClose', async () => evaluator.stop());
  }
  await app.register(challengerRoutes, {
    registry,
    challengers: new Challengers(pool),
    published,
    predictions,
    catalog,
    queue: new JobQueue(pool),
    maxActiveJobs: config.training.maxActiveJobs,
  });
  const batchUploads = new UploadStore(config.uploadDir, config.uploadMaxBytes, config.uploadQuota);
  await app.register(batchRoutes, {
    published,
    registry,
    uploads: batchUploads,
    scoring: new BatchScoring(new ApiKeys(pool), batchUploads, config.serve.internalUrl),
  });
  await app.register(vizProxy, { vizUrl: config.vizUrl, vizKey: secret(config, 'viz_secret_key') });
  // The test runner exists only in development mode: elsewhere it is neither loaded nor routed.
  if (config.env === 'development') {
    const { default: devTestRoutes } = await import('./routes/dev-tests.js');
    await app.register(devTestRoutes, {
      pool,
      config: config.testRunner,
      rootDir: join(webDir, '..'),
      commands: deps.testCommands,
    });
  }

  return app;
}
