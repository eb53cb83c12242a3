// Retraining on logged outcomes (issue 19): a new dataset made of the champion's dataset (every
// row, read back through the product's own CSV export) followed by every prediction of the
// published name that has an outcome — its observation as the feature columns, its outcome as the
// target, any other column empty. It is loaded as any upload is (typed, statistics, one catalog
// write), so it is an ordinary dataset with its own page, and the training job then reads it.
import type { Pool } from '@enchilada/core';
import { csvStream, loadDataset, openCsv, type CsvRecord, type CsvSource, type Dataset } from '@enchilada/data';
import { Challengers, Predictions, type RetrainOf, type TrainResult } from '@enchilada/models';

export interface RetrainRows {
  readonly dataset: Dataset;
  readonly original: number;
  readonly fromOutcomes: number;
}

/** Prediction rows read per query (keyset paging on the row id, newest first). */
const PAGE = 5000;

/** A CSV cell as the loader reads it: empty for missing, numbers and text as they are (no formula defusing: this never reaches a spreadsheet). */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
}

/**
 * The dataset name of a retrain: `<champion's dataset>-retrain-<time>[-<job>]`, within the 64 characters
 * names allow. The job id keeps two retrains started in the same second apart (seen: "a dataset named
 * … exists already" when two were queued at once).
 */
export function retrainDatasetName(base: string, now = new Date(), jobId?: number): string {
  const stamp =
    now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15).toLowerCase() +
    (jobId === undefined ? '' : `-${jobId}`);
  return `${base.slice(0, 64 - 9 - stamp.length)}-retrain-${stamp}`;
}

export async function buildRetrainDataset(
  pool: Pool,
  ds: Dataset,
  opts: {
    readonly publishedName: string;
    readonly createdBy: number | null;
    readonly name?: string;
    readonly onProgress?: (rows: number) => void;
  },
): Promise<RetrainRows> {
  if (!ds.target) throw new Error(`dataset ${ds.name} has no target`);
  const target = ds.target;
  const original = await openCsv(csvStream(pool, ds));
  const names = ds.columns.map((c) => c.name);
  if (original.header.join('\n') !== names.join('\n'))
    throw new Error(`the export of ${ds.name} has columns ${original.header.join(', ')}, not ${names.join(', ')}`);
  const predictions = new Predictions(pool);
  let counts = { original: 0, fromOutcomes: 0 };
  async function* records(): AsyncGenerator<CsvRecord> {
    let line = 1;
    for await (const r of original.records) {
      counts = { ...counts, original: counts.original + 1 };
      line = r.line;
      yield r;
    }
    let beforeId: number | undefined;
    for (;;) {
      const page = await predictions.list(
        { modelName: opts.publishedName, withOutcome: true, ...(beforeId === undefined ? {} : { beforeId }) },
        PAGE,
      );
      if (!page.length) return;
      for (const p of page) {
        const obs = (p.observation && typeof p.observation === 'object' ? p.observation : {}) as Record<
          string,
          unknown
        >;
        counts = { ...counts, fromOutcomes: counts.fromOutcomes + 1 };
        yield { line: ++line, values: names.map((n) => cell(n === target ? p.outcome : obs[n])) };
      }
      opts.onProgress?.(counts.original + counts.fromOutcomes);
      beforeId = page[page.length - 1].rowId;
    }
  }
  const source: CsvSource = { header: names, records: records(), bytesRead: () => original.bytesRead() };
  const dataset = await loadDataset(
    pool,
    {
      name: opts.name ?? retrainDatasetName(ds.name),
      title: `${ds.title} + outcomes of "${opts.publishedName}"`.slice(0, 200),
      origin: 'upload',
      columns: ds.columns,
      task: ds.task,
      createdBy: opts.createdBy,
      classLabels: ds.classLabels ?? null,
    },
    source,
    { onProgress: (p) => opts.onProgress?.(p.rows) },
  );
  return { dataset, ...counts };
}

/** The training job's first step when its spec retrains: the dataset it trains on instead. */
export async function retrainDataset(
  pool: Pool,
  ds: Dataset,
  retrain: RetrainOf,
  createdBy: number | null,
  progress: (message: string) => Promise<void>,
  jobId?: number,
): Promise<RetrainRows> {
  await progress(`building the dataset: ${ds.name}'s rows and the outcomes logged for "${retrain.name}"`);
  const built = await buildRetrainDataset(pool, ds, {
    publishedName: retrain.name,
    createdBy,
    ...(jobId === undefined ? {} : { name: retrainDatasetName(ds.name, new Date(), jobId) }),
    onProgress: (rows) => {
      void progress(`building the dataset: ${rows} rows`).catch(() => undefined);
    },
  });
  if (built.fromOutcomes === 0)
    throw new Error(`no prediction of "${retrain.name}" has an outcome: there is nothing to retrain on`);
  return built;
}

/** The training job's last step when its spec retrains: the model becomes the name's challenger. */
export async function publishRetrained(
  pool: Pool,
  retrain: RetrainOf,
  modelId: number,
  built: RetrainRows,
): Promise<NonNullable<TrainResult['retrain']>> {
  await new Challengers(pool).set(retrain.name, modelId, { actor: retrain.actor, confirm: false });
  return {
    datasetId: built.dataset.id,
    original: built.original,
    fromOutcomes: built.fromOutcomes,
    challengerOf: retrain.name,
  };
}
