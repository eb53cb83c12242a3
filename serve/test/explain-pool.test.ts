// The explain pool (serve/src/explain-pool.ts): a forest's rows explained on the worker threads
// give exactly what the same artefact gives in-process; requests spread over the threads; past
// the pool's bound an explanation is refused at once with 503 explain_busy; and the event loop
// stays free while the threads compute (a timer fires on time during a long explanation).
import {
  ColumnTransformer,
  Pipeline,
  RandomForestClassifier,
  buildExplainer,
  classificationTarget,
  loadExplainer,
  tableFromColumns,
  type ExplainerArtefact,
} from '@enchilada/ml';
import { ExplainBusyError, ExplainPool } from '../src/explain-pool.js';

jest.setTimeout(60_000);

const F = 6;
const names = Array.from({ length: F }, (_, j) => `x${j}`);
let artefact: ExplainerArtefact;
let pool: ExplainPool | null = null;

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = random(7);
const rows = (n: number) =>
  Array.from({ length: n }, () => Object.fromEntries(names.map((c) => [c, Math.round(rnd() * 1000) / 100])));

beforeAll(() => {
  const n = 600;
  const data = rows(n);
  const table = tableFromColumns(
    names.map((name) => ({ name, kind: 'numeric' as const, values: Float64Array.from(data, (r) => r[name]) })),
  );
  const y = classificationTarget(data.map((r) => (r.x0 + r.x1 * r.x2 > 30 ? 'yes' : 'no')));
  const model = new Pipeline(
    new RandomForestClassifier({ n_estimators: 30, max_depth: 8 }),
    new ColumnTransformer(table.schema),
  ).fit(table.X, y, { seed: 0 });
  artefact = buildExplainer({ preprocessing: model.pre, model: model.model, background: table.X });
});

afterEach(async () => {
  await pool?.close();
  pool = null;
});

describe('the explain pool', () => {
  it("explains a forest's rows on its threads exactly as the artefact does in-process, spread over every thread", async () => {
    const p = (pool = new ExplainPool(2));
    const asked = Array.from({ length: 6 }, () => rows(5));
    const answers = asked.map((r) => p.explain(1, artefact, r));
    // three requests in hand on each thread: the least busy one takes the next
    expect(p.queued).toEqual([3, 3]);
    const own = loadExplainer(artefact);
    const got = await Promise.all(answers);
    got.forEach((g, i) => expect(g).toEqual(own.explain(asked[i])));
    expect(p.queued).toEqual([0, 0]);
  });

  it('refuses an explanation with 503 explain_busy once it holds as many as its bound, and takes them again after', async () => {
    const p = (pool = new ExplainPool(1, 2));
    const held = [p.explain(1, artefact, rows(1)), p.explain(1, artefact, rows(1))];
    const refused = p.explain(1, artefact, rows(1));
    await expect(refused).rejects.toBeInstanceOf(ExplainBusyError);
    await expect(refused).rejects.toMatchObject({ statusCode: 503, code: 'explain_busy' });
    await Promise.all(held);
    expect(await p.explain(1, artefact, rows(1))).toHaveLength(1);
  });

  it('leaves the event loop free while a thread explains many rows', async () => {
    const p = (pool = new ExplainPool(1));
    await p.explain(1, artefact, rows(1)); // the thread started and holds the explainer
    const many = rows(3000);
    const t0 = performance.now();
    let lateness = -1;
    const tick = new Promise<void>((resolve) =>
      setTimeout(() => {
        lateness = performance.now() - t0 - 5;
        resolve();
      }, 5),
    );
    const done = p.explain(1, artefact, many).then(() => performance.now() - t0);
    await tick;
    const took = await done;
    // the timer fired long before the explanation was done, not after it
    expect(took).toBeGreaterThan(lateness + 50);
  });
});
