// The explainer artefact stored beside a model's ONNX graph (models.explainer, migration 014):
// written by viz's training, read by serve and viz to explain rows. Models trained before it have
// none; they can be explained once retrained.
import type { Pool, RowDataPacket } from '@enchilada/core';
import { parseExplainer, type ExplainerArtefact } from '@enchilada/ml';

/** What a page or the API says of a model without an explainer. */
export const NO_EXPLAINER = 'this model was trained before explanations existed: retrain it to explain its predictions';

/**
 * The stored artefact of model `id`: the artefact, null when the model has none (trained earlier),
 * or undefined when there is no such model. Reads only models.id and models.explainer (serve's
 * account may read them: serving-account.ts).
 */
export async function storedExplainer(pool: Pool, id: number): Promise<ExplainerArtefact | null | undefined> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT explainer FROM models WHERE id = ?', [id]);
  if (!rows[0]) return undefined;
  const text = rows[0].explainer as string | null;
  return text === null ? null : parseExplainer(String(text));
}

/** Whether model `id` has an explainer, without reading it (pages show "retrain to explain" when not). */
export async function hasExplainer(pool: Pool, id: number): Promise<boolean> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT explainer IS NOT NULL AS has FROM models WHERE id = ?', [
    id,
  ]);
  return rows[0] !== undefined && Number(rows[0].has) === 1;
}

// What serve needs of the engine to explain (serve depends on this package, not on the engine's).
export { loadExplainer, explainRows, Explainer, type ExplainerArtefact, type RowExplanation } from '@enchilada/ml';
