// The claim a viz token names: the one document or job its bearer may read. web builds it from the
// path it proxies (documentClaim); viz builds it again from the request it gets (each route's `doc`
// config) and refuses a token that names another. Both sides use these builders, so they cannot drift.

/** A document about one dataset: `eda:12`. */
export function datasetClaim(doc: string, dataset: unknown): string {
  return `${doc}:${String(dataset ?? '')}`;
}

/** A document about one trained model: `results:model:5`. */
export function modelClaim(doc: string, model: unknown): string {
  return `${doc}:model:${String(model ?? '')}`;
}

/** A document about a published name: `monitoring:name:churn`. */
export function nameClaim(doc: string, name: unknown): string {
  return `${doc}:name:${String(name ?? '')}`;
}

/** The progress stream of one job: `job:7`. */
export function jobClaim(id: unknown): string {
  return `job:${String(id ?? '')}`;
}

/**
 * The claim a viz path needs (web's proxy), or null for a path that is no document. `isName` says
 * whether a string is a published model name (the pattern lives in @enchilada/models).
 */
export function documentClaim(
  path: string,
  query: Record<string, unknown>,
  isName: (name: string) => boolean,
): string | null {
  const job = /^\/jobs\/(\d{1,15})\/events$/.exec(path);
  if (job) return jobClaim(job[1]);
  const m = /^\/documents\/([a-z][a-z0-9-]{0,40})$/.exec(path);
  const doc = m?.[1];
  if (doc === undefined) return null;
  const id = (v: unknown) => typeof v === 'string' && /^\d{1,10}$/.test(v);
  if (id(query.model)) return modelClaim(doc, query.model);
  if (typeof query.name === 'string' && isName(query.name)) return nameClaim(doc, query.name);
  return id(query.dataset) ? datasetClaim(doc, query.dataset) : doc;
}
