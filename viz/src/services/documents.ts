// What the document routes call: each builds one document from the stores (catalog, registry,
// predictions), with the caches that keep a built document; the routes only check the token's claim
// and the query.
import type { FastifyBaseLogger } from 'fastify';
import { NotFoundError, type Pool } from '@enchilada/core';
import { readSample, readTrainingTable, type Catalog } from '@enchilada/data';
import { MODELS } from '@enchilada/ml';
import {
  Challengers,
  Predictions,
  PublishedModels,
  bucketMinutesFor,
  hasExplainer,
  liveImportance,
  monitoringFigures,
  type ModelDetail,
  type ModelRegistry,
  type PsiReference,
} from '@enchilada/models';
import type { EmbedItem } from '../bokeh/model.js';
import { DocumentCache } from '../documents/cache.js';
import { edaDocument } from '../documents/eda.js';
import { monitoringDocument } from '../documents/monitoring.js';
import { challengerFigures } from '../documents/challenger-section.js';
import { resultsDocument } from '../documents/results.js';
import { OnnxModel } from '../scoring/onnx-model.js';
import { DriftReferences } from './drift-references.js';
import { TrainingImportances } from '../explain/training-importance.js';
import type { ImportanceSection } from '../documents/importance-section.js';

/** The EDA document of a dataset's current version, as JSON, built from a sample of its rows. */
export class EdaDocuments {
  private readonly cache = new DocumentCache(16);

  constructor(
    private readonly pool: Pool,
    private readonly catalog: Catalog,
    private readonly sampleRows = 20000,
  ) {}

  async json(dataset: number, log: FastifyBaseLogger): Promise<string> {
    const ds = await this.catalog.get(dataset);
    if (!ds) throw new NotFoundError('there is no such dataset (it may have been deleted)');
    return this.cache.get(`eda:${ds.id}:${ds.version}`, async () => {
      const t0 = performance.now();
      const sample = await readSample(this.pool, ds, this.sampleRows);
      const text = JSON.stringify(edaDocument({ ds, sample }));
      log.info(
        { dataset: ds.name, version: ds.version, ms: Math.round(performance.now() - t0), bytes: text.length },
        'built EDA document',
      );
      return text;
    });
  }
}

/** The results document of a trained model, as JSON: its metrics scored again on its own rows. */
export class ResultsDocuments {
  private readonly cache = new DocumentCache(8);

  constructor(
    private readonly pool: Pool,
    private readonly catalog: Catalog,
    private readonly registry: ModelRegistry,
  ) {}

  async json(id: number): Promise<string> {
    const { catalog, registry, pool } = this;
    const model = await registry.get(id);
    if (!model) throw new NotFoundError('there is no such model (it may have been deleted)');
    const others = model.datasetId === null ? [] : await registry.list({ datasetId: model.datasetId, limit: 50 });
    // A model never changes; the picker's list does, so the key includes the newest model id.
    return this.cache.get(`results:${id}:${others.map((o) => o.id).join(',')}`, async () => {
      const ds = model.datasetId === null ? null : await catalog.get(model.datasetId);
      if (!ds || ds.version !== model.datasetVersion)
        throw new NotFoundError('the dataset this model was trained on was reloaded or deleted, so its rows are gone');
      const bytes = await registry.onnx(id);
      if (!bytes) throw new NotFoundError('the model has no ONNX bytes');
      const onnx = await OnnxModel.load(bytes);
      try {
        const [train, test] = [
          await readTrainingTable(pool, ds, model.features, model.split.train),
          await readTrainingTable(pool, ds, model.features, model.split.test),
        ];
        const displayName = (m: string) => MODELS.find((x) => x.id === m)?.displayName ?? m;
        return JSON.stringify(
          await resultsDocument({
            model,
            others: others.some((o) => o.id === id) ? others : [model, ...others],
            displayName,
            train,
            test,
            onnx,
          }),
        );
      } finally {
        await onnx.release();
      }
    });
  }
}

/** The monitoring document of a published name over the last `hours`. */
export class MonitoringDocuments {
  private readonly published: PublishedModels;
  private readonly predictions: Predictions;
  private readonly driftReferences: DriftReferences;
  private readonly challengers: Challengers;
  private readonly trainingImportances: TrainingImportances;

  constructor(
    private readonly pool: Pool,
    private readonly catalog: Catalog,
    private readonly registry: ModelRegistry,
  ) {
    this.trainingImportances = new TrainingImportances(pool, catalog);
    this.published = new PublishedModels(pool);
    this.predictions = new Predictions(pool);
    this.driftReferences = new DriftReferences(pool);
    this.challengers = new Challengers(pool);
  }

  async document(name: string, hours: number): Promise<EmbedItem> {
    const { catalog, registry, predictions } = this;
    const p = (await this.published.list()).find((n) => n.name === name);
    if (!p) throw new NotFoundError(`nothing is published under the name "${name}"`);
    const model = await registry.get(p.modelId);
    if (!model) throw new NotFoundError('the published model was deleted');
    const now = new Date();
    const from = new Date(now.getTime() - hours * 3_600_000);
    const to = new Date(now.getTime() + 60_000);
    const bucketMinutes = bucketMinutesFor(hours);
    // Counts of the whole window in SQL; the other figures from its newest rows (at most 100,000).
    const [rows, counts] = await Promise.all([
      predictions.window(name, from, to),
      predictions.windowCounts(name, from, to, bucketMinutes),
    ]);
    // Drift compares with the model's training rows, if its dataset still holds them.
    const ds = model.datasetId === null ? null : await catalog.get(model.datasetId);
    let training: Record<string, PsiReference | null> = {};
    let driftNote: string | null = null;
    if (!ds || ds.version !== model.datasetVersion || model.split.train.length === 0)
      driftNote = 'the training rows of this model are no longer stored (its dataset was reloaded or deleted)';
    else training = await this.driftReferences.get(model, ds);
    const figures = monitoringFigures(rows, model, training, { bucketMinutes, counts });
    const challenger =
      p.challengerModelId === null
        ? null
        : await challengerFigures(this.challengers, name, p.challengerModelId, model, from, to);
    const importance = figures.count === 0 ? null : await this.importance(name, model, from, to);
    return monitoringDocument({
      name,
      version: p.version,
      model,
      hours,
      now,
      figures,
      driftNote,
      challenger,
      importance,
    });
  }

  /**
   * Live importance over the window's explained predictions and, when there are some, the
   * training-time importance beside it (computed once per model: it explains the Explain page's
   * sample of test rows, so only a model whose predictions are explained pays for it).
   */
  private async importance(name: string, model: ModelDetail, from: Date, to: Date): Promise<ImportanceSection> {
    const live = await liveImportance(this.pool, name, model.id, from, to);
    if (live.rows === 0) return { live, training: null, explainable: await hasExplainer(this.pool, model.id) };
    return { live, training: await this.trainingImportances.get(model), explainable: true };
  }
}
