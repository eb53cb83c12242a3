// Contributions at serving time (issue 18): POST /v1/models/{name}/predict with "explain": true
// answers, beside the prediction, the base value and one contribution per original column, from
// the explainer artefact stored with the same model the request was scored with (models.explainer,
// written by viz's training). The parsed artefact is cached per model id, as the ONNX sessions are:
// a publish that switches a name to another model switches its explainer with it, a request keeps
// the version it started with, and explainers of models no longer published are dropped. The
// first explained request of a model reads and parses its artefact; the others reuse it. Tree SHAP
// (~5 ms of CPU per row on a 100-tree forest), sampled SHAP (seconds) and soft-voting ensembles run
// on worker threads (explain-pool.ts), so they do not hold up the requests around them; linear
// SHAP (microseconds) runs here.
import { HttpError, type Pool } from '@enchilada/core';
import { parseDate } from '@enchilada/data';
import {
  loadExplainer,
  storedExplainer,
  type Explainer,
  type ExplainerArtefact,
  type RowExplanation,
} from '@enchilada/models';
import { ExplainPool } from './explain-pool.js';
import type { Scored } from './predictor.js';
import type { LiveModel, ServingState } from './serving-state.js';

/** A model with no explainer (trained before explanations, or one could not be built): 409, nothing stored. */
export class NoExplainerError extends HttpError {
  constructor(message: string) {
    super(409, message, 'no_explainer');
  }
}

/** What an explained prediction adds to its answer (and what the prediction log stores in `contributions`). */
export interface ServedExplanation {
  readonly base_value: number;
  readonly contributions: Record<string, number>;
  readonly explanation: {
    /** The class whose output is explained (the predicted one), or null for a regressor. */
    readonly output: string | null;
    readonly units: RowExplanation['units'];
    /** The explained output: base_value + Σ contributions. */
    readonly value: number;
    readonly method: RowExplanation['method'];
    /** Sampled SHAP (kernel SVM, k-NN, naive Bayes, or an ensemble with one of them): the standard error of each contribution. */
    readonly stderr?: Record<string, number>;
    /** Log-odds, logit and decision units: the class probability, contributions rescaled to it. */
    readonly probability?: RowExplanation['probability'];
  };
}

/** A model's artefact, and its explainer when it explains in-process (linear SHAP). */
interface Loaded {
  readonly artefact: ExplainerArtefact;
  readonly explainer: Explainer | null;
}

export class Explanations {
  /** Parsed explainers by model id (null: the model has none). */
  private readonly cache = new Map<number, Promise<Loaded | null>>();
  private readonly threads: ExplainPool;

  /** threads: the explain pool's size (SERVE_EXPLAIN_THREADS). */
  constructor(
    private readonly pool: Pool,
    private readonly state: ServingState,
    threads: number,
  ) {
    this.threads = new ExplainPool(threads);
  }

  private explainer(model: LiveModel): Promise<Loaded | null> {
    let hit = this.cache.get(model.modelId);
    if (!hit) {
      this.prune();
      hit = storedExplainer(this.pool, model.modelId).then((a) =>
        a ? { artefact: a, explainer: a.kind === 'linear' ? loadExplainer(a) : null } : null,
      );
      this.cache.set(model.modelId, hit);
      // a failed read (the database away) is not remembered
      hit.catch(() => this.cache.delete(model.modelId));
    }
    return hit;
  }

  /** Drops the explainers of models no published name serves any more. */
  private prune(): void {
    const live = new Set<number>();
    for (const s of this.state.allNames().values()) if (s.status === 'ready') live.add(s.model.modelId);
    const dropped = [...this.cache.keys()].filter((id) => !live.has(id));
    for (const id of dropped) this.cache.delete(id);
    this.threads.forget(dropped);
  }

  /** Stops the explain threads (the app's onClose). */
  close(): Promise<void> {
    return this.threads.close();
  }

  /**
   * The explanation of each observation (already validated by toInput) for the class the model
   * predicted (`scored`, from its ONNX graph), or NoExplainerError.
   */
  async explain(
    model: LiveModel,
    observations: readonly unknown[],
    scored: readonly Scored[],
  ): Promise<ServedExplanation[]> {
    const loaded = await this.explainer(model);
    if (!loaded) {
      throw new NoExplainerError(
        `model "${model.name}" version ${model.version} has no explainer (it was trained before explanations existed): retrain it and publish the new model to get contributions; nothing was stored`,
      );
    }
    const raw = observations as Readonly<Record<string, unknown>>[];
    const rows = loaded.explainer
      ? loaded.explainer.explain(raw, { parseDate })
      : await this.threads.explain(model.modelId, loaded.artefact, raw);
    return rows.map((r, i) => {
      const served = scored[i]?.prediction;
      // the class onnxruntime predicted; the explainer's own prediction agrees but for float32 ties
      const own = r.output === null || String(served) === r.output;
      const e = own ? r : (r.classes?.find((c) => c.output === String(served)) ?? r);
      return {
        base_value: e.base_value,
        contributions: e.contributions,
        explanation: {
          output: e.output,
          units: r.units,
          value: e.value,
          method: r.method,
          ...(own && r.stderr ? { stderr: r.stderr } : {}),
          ...(own && r.probability ? { probability: r.probability } : {}),
        },
      };
    });
  }
}

const numbers = { type: 'object', additionalProperties: { type: 'number' } } as const;
/** The answer's fields of an explained prediction, for the route's response schema. */
export const explanationFields = {
  base_value: {
    type: 'number',
    description:
      'with "explain": true, the explained output at the background (base_value + Σ contributions = explanation.value)',
  },
  contributions: {
    ...numbers,
    description:
      'with "explain": true, each original column\'s contribution to the explained output (SHAP values), in explanation.units',
  },
  explanation: {
    type: 'object',
    description:
      'with "explain": true: which output is explained (the predicted class; null for a regressor), in which units (probability, log-odds, logit, decision, target), its value, the method (tree-shap, linear-shap, sampling-shap with stderr, voting-shap for a soft-voting ensemble, its members\u2019 contributions averaged in probability), and for log-odds/logit/decision units the class probability with contributions rescaled to it',
    properties: {
      output: { type: ['string', 'null'] },
      units: { type: 'string' },
      value: { type: 'number' },
      method: { type: 'string' },
      stderr: numbers,
      probability: {
        type: 'object',
        properties: { value: { type: 'number' }, base_value: { type: 'number' }, contributions: numbers },
      },
    },
  },
} as const;

/** The request's flag. */
export const explainFlag = {
  type: 'boolean',
  default: false,
  description:
    'also answer (and store) base_value and contributions per column: why the model predicted this (409 no_explainer for models trained before explanations: retrain them)',
} as const;

/** An explained prediction's answer fields (none when it was not explained). */
export function explanationAnswer(p: { readonly explained?: ServedExplanation }): Partial<ServedExplanation> {
  return p.explained ?? {};
}
