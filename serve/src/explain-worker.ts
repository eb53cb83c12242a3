// A worker thread of explain-pool.ts: explains rows (tree SHAP, sampled SHAP, soft-voting
// ensembles) away from serve's event loop. It keeps the loaded explainer of each model id it was
// sent — and with it the flattened trees TreeSHAP walks — until told to forget it.
import { parentPort } from 'node:worker_threads';
import { parseDate } from '@enchilada/data';
import { loadExplainer, type Explainer } from '@enchilada/models';
import type { FromExplainThread, ToExplainThread } from './explain-pool.js';

const port = parentPort;
if (!port) throw new Error('explain-worker runs as a worker thread');
const loaded = new Map<number, Explainer>();

port.on('message', (m: ToExplainThread) => {
  if (m.kind === 'forget') {
    for (const id of m.modelIds) loaded.delete(id);
    return;
  }
  try {
    let explainer = loaded.get(m.modelId);
    if (m.artefact) loaded.set(m.modelId, (explainer = loadExplainer(m.artefact)));
    if (!explainer) throw new Error(`explainer of model ${m.modelId} was never sent to the explain thread`);
    port.postMessage({ id: m.id, rows: explainer.explain(m.rows, { parseDate }) } satisfies FromExplainThread);
  } catch (e) {
    port.postMessage({
      id: m.id,
      error: { name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) },
    } satisfies FromExplainThread);
  }
});
