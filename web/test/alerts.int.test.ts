// Alerts end to end against the real database: rules added on the name's page, two evaluators (two
// web replicas, each with its own pool) running at once, a local HTTP receiver as the webhook. An
// alert fires when the outcomes turn bad and resolves when they recover, each posted exactly once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createPool, migrate, type Pool, type RowDataPacket } from '@enchilada/core';
import { Readable } from 'node:stream';
import { Catalog, loadDataset, openCsv } from '@enchilada/data';
import { AlertStore, ModelRegistry, PublishedModels } from '@enchilada/models';
import {
  DATASETS_DIR,
  MIGRATIONS_DIR,
  TEST_PASSWORD,
  TEST_USER,
  WEB_DIR,
  createTestDb,
  present,
  type TestDb,
} from '@enchilada/test-support';
import { buildApp } from '../src/app.js';
import { AlertEvaluator } from '../src/alerts/evaluator.js';
import { deliver, guardedLookup, refusal } from '../src/alerts/webhook.js';
import { UserRepository } from '@enchilada/users';
import { Browser, insertPlaceholderModel } from './helpers.js';

jest.setTimeout(120_000);

interface Received {
  readonly body: Record<string, unknown>;
  readonly key: string | undefined;
}
let db: TestDb;
let app: FastifyInstance;
let alice: Browser;
let viewer: Browser;
let bob: Browser;
let receiver: Server;
let received: Received[] = [];
/** Status codes the receiver answers with, in turn (then 200). */
let answers: number[] = [];
let hookUrl = '';
const pools: Pool[] = [];
let clientSeq = 0;

const WEBHOOK = { timeoutMs: 2000, retryDelaysMs: [20, 40], allowPrivate: true, allowedHosts: [] } as const;

function evaluator(owner: string, intervalMs = 50): AlertEvaluator {
  // Each replica its own pool, as two web processes would have.
  const pool = createPool(db.config('web').mysql, { connectionLimit: 3 });
  pools.push(pool);
  return new AlertEvaluator(
    {
      pool,
      store: new AlertStore(pool),
      published: new PublishedModels(pool),
      registry: new ModelRegistry(pool),
      catalog: new Catalog(pool),
    },
    { intervalMs, leaseMs: 5000, webhook: WEBHOOK, owner },
  );
}

/**
 * Logs `n` predictions of `name` with their outcomes, right ones (prediction = outcome) or wrong ones,
 * in one statement: an evaluator never sees half of them.
 */
async function predictions(name: string, model: number, n: number, right: boolean): Promise<void> {
  const values: unknown[] = [];
  for (let i = 0; i < n; i++) {
    values.push(
      name,
      model,
      1,
      `p${++clientSeq}`,
      JSON.stringify({ a: i }),
      JSON.stringify({ prediction: '1', probabilities: { 0: 0.2, 1: 0.8 } }),
      1,
      JSON.stringify(right ? '1' : '0'),
    );
  }
  await db.pool.query(
    `INSERT INTO predictions (model_name, model_id, version, client_id, observation, output, latency_ms, outcome, outcome_at)
     VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP(3))').join(', ')}`,
    values,
  );
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function rows<T = RowDataPacket>(sql: string, args: unknown[] = []): Promise<T[]> {
  const [r] = await db.pool.query<RowDataPacket[]>(sql, args);
  return r as T[];
}

let model = 0;
beforeAll(async () => {
  db = await createTestDb('web_alerts');
  await migrate(db.pool, MIGRATIONS_DIR);
  const config = db.config('web');
  const users = new UserRepository(db.pool);
  await users.createIfMissing(config.adminUser, TEST_PASSWORD, 'admin');
  await users.createIfMissing('alice', 'alice-password-123', 'editor');
  await users.createIfMissing('bob', 'bob-password-1234', 'editor');
  await users.createIfMissing('vera', 'vera-password-1234', 'viewer');
  const [u] = await db.pool.query<RowDataPacket[]>('SELECT id FROM users WHERE username = ?', ['alice']);
  model = await insertPlaceholderModel(db.pool, Number(u[0].id));
  await new PublishedModels(db.pool).publish('churn', model, Number(u[0].id));
  app = await buildApp({ config, pool: db.pool, webDir: WEB_DIR, datasetsDir: DATASETS_DIR, logger: false });
  alice = new Browser(app);
  await alice.signIn('alice', 'alice-password-123');
  bob = new Browser(app);
  await bob.signIn('bob', 'bob-password-1234');
  viewer = new Browser(app);
  await viewer.signIn('vera', 'vera-password-1234');
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const status = answers.shift() ?? 200;
      if (status === 200)
        received.push({
          body: JSON.parse(body) as Record<string, unknown>,
          key: req.headers['idempotency-key'] as string | undefined,
        });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  void TEST_USER;
});
afterAll(async () => {
  await app?.close();
  await new Promise((r) => receiver?.close(r));
  for (const p of pools) await p.end();
  await db?.drop();
});
beforeEach(() => {
  received = [];
  answers = [];
});
// Each test starts with no rules, alerts or notices (a failed test leaves none behind for the next).
afterEach(async () => {
  for (const t of ['alert_rules', 'alerts', 'alert_notices']) await db.pool.query(`DELETE FROM ${t}`);
  await db.pool.query("UPDATE alert_lease SET owner = NULL, expires_at = '2000-01-01 00:00:00.000'");
});

async function addRule(b: Browser, fields: Record<string, string>) {
  const csrf = await b.csrf('/published/churn/monitor');
  return app.inject({
    method: 'POST',
    url: '/published/churn/alert-rules',
    payload: { ...fields, _csrf: csrf },
    headers: { cookie: b.cookieHeader, accept: 'application/json' },
  });
}

describe('an accuracy rule with two evaluators running', () => {
  it('fires once when the outcomes turn bad and resolves once when they recover, posted once each', async () => {
    const res = await addRule(alice, {
      metric: 'accuracy',
      comparison: 'below',
      threshold: '0.8',
      window: '10',
      webhookUrl: hookUrl,
    });
    expect(res.statusCode).toBe(201);
    const ruleId = Number(res.json().id);
    await predictions('churn', model, 10, true);
    const a = evaluator('replica-a');
    const b = evaluator('replica-b');
    a.start();
    b.start();
    try {
      // Good outcomes: evaluated (accuracy 1), nothing fires.
      await until(
        'a first evaluation',
        async () => (await rows('SELECT last_value FROM alert_rules WHERE id = ?', [ruleId]))[0].last_value !== null,
      );
      expect(Number((await rows('SELECT last_value FROM alert_rules WHERE id = ?', [ruleId]))[0].last_value)).toBe(1);
      // The newest 10 outcomes turn bad: accuracy 0.
      await predictions('churn', model, 10, false);
      await until('the fired notice', () => received.length >= 1);
      // Recovered.
      await predictions('churn', model, 10, true);
      await until('the resolved notice', () => received.length >= 2);
      // More rounds on both replicas change nothing.
      const seen = new Date(
        (await rows('SELECT last_evaluated_at FROM alert_rules WHERE id = ?', [ruleId]))[0].last_evaluated_at,
      ).getTime();
      await until(
        'three more evaluations',
        async () =>
          new Date(
            (await rows('SELECT last_evaluated_at FROM alert_rules WHERE id = ?', [ruleId]))[0].last_evaluated_at,
          ).getTime() >
          seen + 150,
      );
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(received.map((r) => r.body.status)).toEqual(['firing', 'resolved']);
    const [fired, resolved] = received.map((r) => r.body);
    expect(fired.text).toMatch(
      /Alert on "churn": live accuracy is 0 \(rule: live accuracy below 0.8 over the last 10 outcomes\)/,
    );
    expect(fired.alert).toEqual(
      expect.objectContaining({
        name: 'churn',
        metric: 'accuracy',
        comparison: 'below',
        threshold: 0.8,
        window: 10,
        windowUnit: 'outcomes',
        value: 0,
        resolvedAt: null,
      }),
    );
    expect(resolved.text).toMatch(/Resolved on "churn": live accuracy is 1/);
    expect(resolved.alert).toEqual(expect.objectContaining({ resolvedValue: 1 }));
    expect(received.map((r) => r.key)).toEqual([expect.stringMatching(/-fired$/), expect.stringMatching(/-resolved$/)]);
    const alerts = await rows('SELECT value, resolved_at, resolved_value FROM alerts WHERE rule_id = ?', [ruleId]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].resolved_at).not.toBeNull();
    expect(
      (await rows('SELECT kind, status, attempts FROM alert_notices ORDER BY id')).map((n) => [
        n.kind,
        n.status,
        n.attempts,
      ]),
    ).toEqual([
      ['fired', 'sent', 1],
      ['resolved', 'sent', 1],
    ]);

    // The history on the name's page.
    const page = await alice.get('/published/churn/monitor');
    expect(page.body).toMatch(/data-testid="alert-history"/);
    expect(page.body).toMatch(/fired: sent/);
    expect(page.body).toMatch(/resolved: sent/);
    await new AlertStore(db.pool).delete(ruleId);
  });

  it('makes one transition when two evaluators race past the lease (the rule row is locked)', async () => {
    const res = await addRule(alice, {
      metric: 'accuracy',
      comparison: 'below',
      threshold: '0.99',
      window: '5',
      webhookUrl: hookUrl,
    });
    const ruleId = Number(res.json().id);
    await predictions('churn', model, 5, false);
    const a = evaluator('race-a');
    const b = evaluator('race-b');
    const both = await Promise.all([a.evaluate(), b.evaluate(), a.evaluate(), b.evaluate()]);
    expect(both.flatMap((r) => r.transitions).filter((t) => t.ruleId === ruleId)).toEqual([
      { ruleId, transition: 'fired' },
    ]);
    // Both deliver at once: the notice is claimed by one.
    const sent = await Promise.all([a.deliverNotices(), b.deliverNotices()]);
    expect(sent.reduce((x, y) => x + y, 0)).toBe(1);
    expect(received).toHaveLength(1);
    // The banner, on every page, for anyone signed in.
    const home = await viewer.get('/datasets');
    expect(home.body).toMatch(/data-testid="alert-banner"/);
    expect(home.body).toMatch(/href="\/published\/churn\/monitor#alerts">churn<\/a>/);
    await new AlertStore(db.pool).delete(ruleId);
    expect((await viewer.get('/datasets')).body).not.toMatch(/data-testid="alert-banner"/);
  });
});

describe('the lease', () => {
  it('lets one replica evaluate at a time and passes to another when the holder stops', async () => {
    const a = evaluator('lease-a');
    const b = evaluator('lease-b');
    expect((await a.tick()).leader).toBe(true);
    expect((await b.tick()).leader).toBe(false);
    expect((await a.tick()).leader).toBe(true);
    await a.stop();
    expect((await b.tick()).leader).toBe(true);
    expect((await a.tick()).leader).toBe(false);
    await b.stop();
  });
});

describe('webhook delivery', () => {
  it('retries a failing receiver with backoff and gives up after the bounded attempts', async () => {
    answers = [500, 503];
    const ok = await deliver(hookUrl, JSON.stringify({ text: 'x' }), {}, WEBHOOK);
    expect(ok).toEqual({ sent: true, attempts: 3, error: null });
    answers = [500, 500, 500];
    const failed = await deliver(hookUrl, JSON.stringify({ text: 'x' }), {}, WEBHOOK);
    expect(failed).toEqual({ sent: false, attempts: 3, error: 'the webhook answered 500' });
    // A 4xx is the receiver's final word.
    answers = [404];
    expect(await deliver(hookUrl, '{}', {}, WEBHOOK)).toEqual({
      sent: false,
      attempts: 1,
      error: 'the webhook answered 404',
    });
  });

  it('refuses loopback and private addresses unless allowed, and hosts off the allow-list', async () => {
    const strict = { ...WEBHOOK, allowPrivate: false };
    const res = await deliver(hookUrl, '{}', {}, strict);
    expect(res.sent).toBe(false);
    expect(res.attempts).toBe(1);
    expect(res.error).toMatch(/127\.0\.0\.1 is a private or loopback address/);
    expect(refusal(new URL('http://169.254.169.254/latest'), strict)).toMatch(/private/);
    expect(refusal(new URL('http://[::1]:80/'), strict)).toMatch(/private/);
    expect(refusal(new URL('http://localhost/'), strict)).toMatch(/loopback/);
    expect(refusal(new URL('https://hooks.slack.com/services/x'), strict)).toBeNull();
    expect(
      refusal(new URL('https://evil.example/'), { allowPrivate: false, allowedHosts: ['hooks.slack.com'] }),
    ).toMatch(/ALERT_WEBHOOK_HOSTS/);
    // A name that resolves to a loopback address is refused by the lookup the connection itself uses.
    const looked = await new Promise<Error | null>((resolve) => guardedLookup('localhost', {}, (err) => resolve(err)));
    expect(looked?.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a private or loopback address/);
  });
});

describe('rules: validation and who may change them', () => {
  it.each([
    [{ metric: 'speed', comparison: 'below', threshold: '1', window: '5' }, 'metric'],
    [{ metric: 'mae', comparison: 'above', threshold: '1', window: '5' }, 'metric'],
    [{ metric: 'accuracy', comparison: 'sideways', threshold: '1', window: '5' }, 'comparison'],
    [{ metric: 'accuracy', comparison: 'below', threshold: 'high', window: '5' }, 'threshold'],
    [{ metric: 'accuracy', comparison: 'below', threshold: '80', window: '5' }, 'threshold'],
    [{ metric: 'volume', comparison: 'below', threshold: '-1', window: '5' }, 'threshold'],
    [{ metric: 'accuracy', comparison: 'below', threshold: '0.8', window: '0' }, 'window'],
    [{ metric: 'p99_latency', comparison: 'above', threshold: '50', window: '2.5' }, 'window'],
    [{ metric: 'volume', comparison: 'below', threshold: '1', window: '99999' }, 'window'],
    [
      { metric: 'accuracy', comparison: 'below', threshold: '0.8', window: '5', webhookUrl: 'ftp://example.org/x' },
      'webhookUrl',
    ],
    [{ metric: 'accuracy', comparison: 'below', threshold: '0.8', window: '5', webhookUrl: 'not a url' }, 'webhookUrl'],
    [
      {
        metric: 'accuracy',
        comparison: 'below',
        threshold: '0.8',
        window: '5',
        webhookUrl: 'https://user:pw@example.org/',
      },
      'webhookUrl',
    ],
  ])('refuses %j with a 400 naming %s, and stores nothing', async (fields, field) => {
    const before = await rows('SELECT COUNT(*) AS n FROM alert_rules');
    const res = await addRule(alice, fields);
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe(field);
    expect(await rows('SELECT COUNT(*) AS n FROM alert_rules')).toEqual(before);
  });

  it('lets the owner add, change and delete a rule on the page; another editor and a viewer only read it, without the webhook path', async () => {
    const csrf = await alice.csrf('/published/churn/monitor');
    const added = await alice.post('/published/churn/alert-rules', {
      metric: 'volume',
      comparison: 'below',
      threshold: '1',
      window: '60',
      webhookUrl: 'https://hooks.example.org/services/SECRET',
      enabled: 'true',
      _csrf: csrf,
    });
    expect(added.statusCode).toBe(303);
    const rule = present(
      (await new AlertStore(db.pool).rules('churn')).find((r) => r.metric === 'volume'),
      'the volume rule',
    );
    const mine = await alice.get('/published/churn/monitor');
    expect(mine.body).toMatch(/data-testid="rule-form"/);
    expect(mine.body).toMatch(/services\/SECRET/);
    for (const other of [bob, viewer]) {
      const page = await other.get('/published/churn/monitor');
      expect(page.body).toMatch(/predictions below 1 over the last 60 minutes/);
      expect(page.body).not.toMatch(/data-testid="rule-form"/);
      expect(page.body).not.toMatch(/SECRET/);
      expect(page.body).toMatch(/https:\/\/hooks\.example\.org\/…/);
      const token = await other.csrf('/published/churn/monitor');
      expect((await other.post(`/published/churn/alert-rules/${rule.id}/delete`, { _csrf: token })).statusCode).toBe(
        403,
      );
    }
    const json = await app.inject({
      method: 'GET',
      url: '/api/published/churn/alerts',
      headers: { cookie: viewer.cookieHeader, accept: 'application/json' },
    });
    expect(json.statusCode).toBe(200);
    expect(JSON.stringify(json.json())).not.toMatch(/SECRET/);
    // Saving without the box ticked disables it; the webhook is kept when the field is not sent.
    expect(
      (
        await alice.post(`/published/churn/alert-rules/${rule.id}`, {
          metric: 'volume',
          comparison: 'below',
          threshold: '2',
          window: '30',
          _csrf: csrf,
        })
      ).statusCode,
    ).toBe(303);
    expect(await new AlertStore(db.pool).rule(rule.id)).toEqual(
      expect.objectContaining({
        threshold: 2,
        window: 30,
        enabled: false,
        webhookUrl: 'https://hooks.example.org/services/SECRET',
      }),
    );
    // A bad field posted from the page: back to the page, the message naming the field, nothing changed.
    const bad = await alice.post(`/published/churn/alert-rules/${rule.id}`, {
      metric: 'volume',
      comparison: 'below',
      threshold: 'lots',
      window: '30',
      _csrf: csrf,
    });
    expect(bad.statusCode).toBe(303);
    expect(bad.headers.location).toBe('/published/churn/monitor');
    expect((await alice.get('/published/churn/monitor')).body).toMatch(
      /Alert rule not saved: threshold: the threshold must be a number/,
    );
    expect((await new AlertStore(db.pool).rule(rule.id))?.threshold).toBe(2);
    expect((await alice.post(`/published/churn/alert-rules/${rule.id}/delete`, { _csrf: csrf })).statusCode).toBe(303);
    expect(await new AlertStore(db.pool).rule(rule.id)).toBeNull();
  });

  it('evaluates volume, p99 latency and error rate over a window of minutes', async () => {
    const store = new AlertStore(db.pool);
    const ids = [
      await store.create(
        'churn',
        { metric: 'volume', comparison: 'above', threshold: 1000, window: 5, webhookUrl: null, enabled: true },
        null,
      ),
      await store.create(
        'churn',
        { metric: 'p99_latency', comparison: 'above', threshold: 0.5, window: 5, webhookUrl: null, enabled: true },
        null,
      ),
      await store.create(
        'churn',
        { metric: 'error_rate', comparison: 'above', threshold: 0.1, window: 5, webhookUrl: null, enabled: true },
        null,
      ),
    ];
    const count = Number((await rows('SELECT COUNT(*) AS n FROM predictions WHERE model_name = ?', ['churn']))[0].n);
    const errors = Math.ceil(count / 2);
    await db.pool.query(
      'INSERT INTO prediction_errors (model_name, minute, errors) VALUES (?, FLOOR(UNIX_TIMESTAMP() / 60), ?)',
      ['churn', errors],
    );
    const e = evaluator('windows');
    const out = await e.evaluate();
    expect(out.transitions.filter((t) => ids.includes(t.ruleId))).toEqual([
      { ruleId: ids[1], transition: 'fired' },
      { ruleId: ids[2], transition: 'fired' },
    ]);
    const values = await Promise.all(ids.map((id) => store.rule(id)));
    expect(values.map((v) => v?.lastValue)).toEqual([count, 1, errors / (errors + count)]);
    for (const id of ids) await store.delete(id);
  });

  it('evaluates the share of drifting features against the training rows, as the monitoring page does', async () => {
    // Training: a = 0…79 and b in {x, y}; live: a far above, b as in training (1 of 2 features drifts).
    const csv = `a,b,y\n${Array.from({ length: 80 }, (_, i) => `${i},${i % 2 ? 'x' : 'y'},${i % 2}`).join('\n')}\n`;
    const ds = await loadDataset(
      db.pool,
      {
        name: 'drift_ds',
        title: 'drift',
        origin: 'upload',
        task: 'classification',
        createdBy: null,
        columns: [
          { name: 'a', type: 'integer', role: 'feature' },
          { name: 'b', type: 'text', role: 'feature' },
          { name: 'y', type: 'integer', role: 'target' },
        ],
      },
      await openCsv(Readable.from([Buffer.from(csv)])),
    );
    const ids = (await rows(`SELECT _row FROM \`${ds.tableName}\``)).map((r) => Number(r._row));
    const drifted = await insertPlaceholderModel(db.pool, null, {
      datasetId: ds.id,
      datasetName: ds.name,
      datasetVersion: ds.version,
      features: ['a', 'b'],
      trainFraction: 1,
      split: { train: ids, test: [] },
    });
    await new PublishedModels(db.pool).publish('drifty', drifted, null);
    const store = new AlertStore(db.pool);
    const rule = await store.create(
      'drifty',
      { metric: 'drift_share', comparison: 'above', threshold: 0.4, window: 60, webhookUrl: null, enabled: true },
      null,
    );
    const e = evaluator('drift');
    // Fewer live predictions than a drift test needs: no value, nothing fires.
    expect((await e.evaluate()).transitions).toEqual([]);
    expect((await store.rule(rule))?.lastValue).toBeNull();
    const values: unknown[] = [];
    for (let i = 0; i < 40; i++)
      values.push(
        'drifty',
        drifted,
        1,
        `d${i}`,
        JSON.stringify({ a: 1000 + i, b: i % 2 ? 'x' : 'y' }),
        JSON.stringify({ prediction: '1' }),
        1,
      );
    await db.pool.query(
      `INSERT INTO predictions (model_name, model_id, version, client_id, observation, output, latency_ms) VALUES ${Array.from({ length: 40 }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      values,
    );
    expect((await e.evaluate()).transitions).toEqual([{ ruleId: rule, transition: 'fired' }]);
    expect((await store.rule(rule))?.lastValue).toBe(0.5);
  });
});
