// Shared by serve's tests: a small logistic regression on two features, stored and published as
// model name `m`, and a fresh database holding it with one API key for every name.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { migrate, type Pool } from '@enchilada/core';
import { MIGRATIONS_DIR, TEST_USER, createTestDb, type TestDb } from '@enchilada/test-support';
import {
  LogisticRegression,
  Matrix,
  Pipeline,
  buildExplainer,
  classificationTarget,
  exportPipelineToOnnx,
  serialiseExplainer,
} from '@enchilada/ml';
import { ApiKeys, ModelRegistry, PublishedModels } from '@enchilada/models';

/** `explainable`: stored with an explainer artefact (issue 18); without, as models trained before explanations. */
export async function publishToyModel(pool: Pool, name = 'm', explainable = false): Promise<number> {
  const rows = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(i)]);
  const X = Matrix.fromRows(rows);
  const model = new Pipeline(new LogisticRegression()).fit(
    X,
    classificationTarget(rows.map(([a]) => (a > 0 ? '1' : '0'))),
  );
  const id = await new ModelRegistry(pool).insert({
    datasetId: 1,
    datasetName: 'toy',
    datasetVersion: 1,
    modelType: 'logistic_regression',
    task: 'classification',
    target: 'y',
    features: ['a', 'b'],
    classes: ['0', '1'],
    grid: {},
    bestParams: {},
    splitSeed: 0,
    trainFraction: 0.8,
    split: { train: [], test: [] },
    cvResults: [],
    cvScore: 1,
    trainScore: 1,
    testScore: 1,
    metrics: {},
    onnx: exportPipelineToOnnx(model, 2),
    inputs: null,
    preprocessing: null,
    jobId: null,
    durationMs: 1,
    createdBy: null,
    explainer: explainable
      ? serialiseExplainer(
          buildExplainer({ preprocessing: model.pre, model: model.model, background: X, features: ['a', 'b'] }),
        )
      : null,
  });
  await new PublishedModels(pool).publish(name, id, null);
  return id;
}

/** A migrated test database with the toy model published as `m` and a key for every name. */
export async function servingTestDb(name: string): Promise<{ db: TestDb; key: string }> {
  const db = await createTestDb(name);
  await migrate(db.pool, MIGRATIONS_DIR);
  await publishToyModel(db.pool);
  return { db, key: (await new ApiKeys(db.pool).create('k', null, null)).key };
}

/**
 * serve as its own process on `port` against the test database, as `node serve/src/main.ts` under
 * tsx as a loader (not tsx's CLI, which would run serve in a child that a SIGKILL of the CLI misses),
 * with stderr piped for the test's messages. `env` adds to (or overrides) the configuration.
 */
export function spawnServe(db: TestDb, port: number, env: Record<string, string> = {}): ChildProcess {
  const cfg = db.config('serve');
  const root = join(__dirname, '..', '..');
  return spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=development', join(root, 'serve', 'src', 'main.ts')],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        NODE_ENV: 'test',
        SECRETS_DIR: db.secretsDir,
        MYSQL_HOST: cfg.mysql.host,
        MYSQL_PORT: String(cfg.mysql.port),
        MYSQL_USER: TEST_USER,
        MYSQL_DATABASE: db.database,
        SERVE_PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        ...env,
      },
    },
  );
}
