// The figures of the Explain document (issue 18), computed from a model's stored explainer
// artefact (services/ml/src/explain/explainer.ts) and its test rows: contributions of a sample of
// at most 2,000 test rows (global importance, the summary plot), the strongest interaction of each
// column (TreeSHAP interaction values for tree models, the correlation of contributions otherwise),
// and partial dependence with ICE curves. Everything is per ORIGINAL column (a one-hot group or a
// date's parts are one column), in the units the artefact explains.
import {
  ColumnTransformerModel,
  PipelineModel,
  datePartColumn,
  fromState,
  isClassifier,
  loadExplainer,
  treeShapInteractions,
  treeSumOf,
  type Explainer,
  type ExplainerArtefact,
  type Matrix,
  type FittedPreprocessing,
  type Model,
  type RowExplanation,
  type TreeModel,
} from '@enchilada/ml';
import type { TrainingTable } from '@enchilada/data';

/** A raw value as the explainer reads it: a number (dates: epoch ms), text, or null (blank). */
export type RawValue = number | string | null;
export type RawRow = Record<string, RawValue>;

export const SAMPLE_ROWS = 2000;
export const SAMPLED_SHAP_ROWS = 400;
/** Time the sample's SHAP values may take (ms); the sample shrinks below 2,000 rows to keep within it. */
export const SHAP_BUDGET_MS = 8000;
const PROBE_ROWS = 20;
/** Rows whose TreeSHAP interaction values pick the dependence plots' colouring. */
const INTERACTION_ROWS = 100;
/** The interaction values' time budget (ms): columns left when it runs out fall back to correlation. */
const INTERACTION_BUDGET_MS = 4000;
const MIN_INTERACTION_ROWS = 20;
const PDP_GRID = 20;
const PDP_ROWS = 300;
const ICE_ROWS = 40;

export interface ColumnInfo {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical' | 'date';
  /** Categorical: the categories the model knows (its training levels), most frequent in the sample first. */
  readonly levels?: readonly string[];
}

/** An artefact ready to explain, predict and say which model inputs make each original column. */
export class ExplainSubject {
  readonly explainer: Explainer;
  readonly columns: readonly ColumnInfo[];
  private readonly pipeline: PipelineModel;
  /** Per model input (after preprocessing), its original column. */
  readonly inputGroups: Int32Array;

  constructor(readonly artefact: ExplainerArtefact) {
    this.explainer = loadExplainer(artefact);
    const pre = fromState(artefact.preprocessing) as FittedPreprocessing;
    const model = fromState(artefact.model) as Model;
    this.pipeline = new PipelineModel(pre, model);
    const byName = new Map<string, number>();
    artefact.columns.forEach((c, o) => {
      if (c.kind === 'date') for (const p of c.parts) byName.set(datePartColumn(c.name, p), o);
      else byName.set(c.name, o);
    });
    if (pre instanceof ColumnTransformerModel) {
      this.inputGroups = Int32Array.from(pre.outputGroups, (g) => byName.get(pre.schema[g].name) ?? -1);
      this.columns = artefact.columns.map((c) =>
        c.kind === 'categorical'
          ? { name: c.name, kind: c.kind, levels: pre.categoriesOf(c.name) ?? [] }
          : { name: c.name, kind: c.kind },
      );
    } else {
      this.inputGroups = Int32Array.from(artefact.columns, (_, j) => j);
      this.columns = artefact.columns.map((c) => ({ name: c.name, kind: c.kind }));
    }
  }

  get model(): Model {
    return this.pipeline.model;
  }

  /** The explained rows (prediction, value, base value, contributions per original column). */
  explain(rows: readonly RawRow[]): RowExplanation[] {
    return this.explainer.explain(rows);
  }

  /**
   * The model's output for each row, as partial dependence reads it: the regressor's value, or the
   * probability of class `cls` (a classifier).
   */
  predictOutput(rows: readonly RawRow[], cls: number): Float64Array {
    const Xm = this.pipeline.transform(this.explainer.code(rows));
    const m = this.pipeline.model;
    if (isClassifier(m)) {
      const p = m.predictProba(Xm);
      return Float64Array.from({ length: rows.length }, (_, i) => p.data[i * p.cols + cls]);
    }
    return Float64Array.from(m.predict(Xm));
  }

  /** The model's inputs (after preprocessing) of coded rows. */
  modelInputs(rows: readonly RawRow[]): Matrix {
    return this.pipeline.transform(this.explainer.code(rows));
  }
}

/** Test rows `indices` of a training table as raw rows (dates as epoch ms, blanks as null). */
export function rawRows(table: TrainingTable, indices: ArrayLike<number>): RawRow[] {
  const out: RawRow[] = [];
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    const r: RawRow = {};
    for (const c of table.columns) {
      const v = c.values[i];
      r[c.name] = v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v;
    }
    out.push(r);
  }
  return out;
}

/** At most `k` of `n` row positions, evenly spread (deterministic: the document never changes). */
export function evenSample(n: number, k: number): Int32Array {
  if (n <= k) return Int32Array.from({ length: n }, (_, i) => i);
  return Int32Array.from({ length: k }, (_, i) => Math.floor((i * n) / k));
}

export interface Interaction {
  /** The column most interacting with this one, or null (one column only, or nothing interacts). */
  readonly with: string | null;
  readonly strength: number;
  readonly method: 'tree-shap-interaction' | 'contribution-correlation';
}

export interface PartialDependence {
  /** Grid values: numbers (dates: epoch ms) or categories. */
  readonly grid: readonly (number | string)[];
  /** The mean output over the PDP rows at each grid value. */
  readonly pd: readonly number[];
  /** ICE curves: per ICE row, the output at each grid value. */
  readonly ice: readonly (readonly number[])[];
  /** The test row of each ICE curve. */
  readonly iceRows: readonly number[];
}

export interface ExplainData {
  readonly columns: readonly ColumnInfo[];
  readonly task: 'classification' | 'regression';
  readonly units: string;
  readonly method: string;
  /** Classifiers: the class the global plots explain; null for regressors. */
  readonly explainedClass: string | null;
  /** What the PDP's output is ("probability of class x", or the target). */
  readonly pdpOutput: string;
  readonly testRows: number;
  /** Test row positions of the sample (at most SAMPLE_ROWS). */
  readonly sample: Int32Array;
  readonly baseValue: number;
  /** Per sample row: the explained output (base + Σ contributions). */
  readonly values: Float64Array;
  readonly predictions: readonly (string | number)[];
  /** Per column (in `columns` order): per sample row, its contribution. */
  readonly contributions: readonly Float64Array[];
  /** Per column: per sample row, its raw value. */
  readonly rawValues: readonly (readonly RawValue[])[];
  /** Mean |contribution| per column, in `columns` order. */
  readonly importance: readonly number[];
  readonly interactions: readonly Interaction[];
  /** Why a column's colouring comes from correlation rather than interaction values, or null. */
  readonly interactionNote: string | null;
  /** Rows whose interaction values were computed (tree models), or 0. */
  readonly interactionRows: number;
  readonly pdp: readonly PartialDependence[];
  readonly ms: { readonly shap: number; readonly interactions: number; readonly pdp: number };
}

/** The contributions, value and base of class `cls` (classifiers) or the only output. */
function outputOf(
  e: RowExplanation,
  cls: string | null,
): { value: number; base: number; contributions: Record<string, number> } {
  if (cls === null) return { value: e.value, base: e.base_value, contributions: e.contributions };
  const o = e.classes?.find((c) => c.output === cls);
  if (!o) throw new Error(`no explanation of class ${cls}`);
  return { value: o.value, base: o.base_value, contributions: o.contributions };
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma;
    const y = b[i] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** The grid partial dependence walks for a column: categories, or evenly spaced values over the sample's range. */
function gridOf(c: ColumnInfo, values: readonly RawValue[]): (number | string)[] {
  if (c.kind === 'categorical') {
    const freq = new Map<string, number>();
    for (const v of values) if (v !== null) freq.set(String(v), (freq.get(String(v)) ?? 0) + 1);
    const seen = [...freq.entries()].sort((x, y) => y[1] - x[1]).map(([k]) => k);
    const known = (c.levels ?? []).filter((l) => !freq.has(l));
    return [...seen, ...known].slice(0, PDP_GRID);
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values)
    if (typeof v === 'number') {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  if (!Number.isFinite(lo)) return [];
  if (lo === hi) return [lo];
  const distinct = new Set(values.filter((v): v is number => typeof v === 'number'));
  if (distinct.size <= PDP_GRID) return [...distinct].sort((x, y) => x - y);
  return Array.from({ length: PDP_GRID }, (_, k) => lo + ((hi - lo) * k) / (PDP_GRID - 1));
}

/** The Explain document's sample of test rows, explained. */
export interface ExplainedSample {
  /** Test row positions of the sample. */
  readonly sample: Int32Array;
  readonly rows: readonly RawRow[];
  readonly explained: readonly RowExplanation[];
  /** Time to explain one row (ms), measured on a probe of a few rows first. */
  readonly perRowMs: number;
  /** When the probe started (performance.now()). */
  readonly startedAt: number;
}

/**
 * The test rows the global figures use, explained: at most 2,000 (400 for sampled SHAP), fewer when
 * explaining them would take more than SHAP_BUDGET_MS. The Explain document and the monitoring
 * document's training-time importance both use it, so both speak of the same rows.
 */
export function explainSample(subject: ExplainSubject, test: TrainingTable): ExplainedSample {
  const a = subject.artefact;
  // At most 2,000 rows (400 for sampled SHAP, a few hundred model calls a row), fewer when a row
  // costs so much that they would take more than SHAP_BUDGET_MS (deep forests: TreeSHAP is
  // O(leaves · depth²) a tree): a probe of a few rows measures the cost first. The page states the count.
  // an ensemble with a sampled member costs what the sampled member costs
  const sampled = a.kind === 'sampling' || (a.members ?? []).some((m) => m.kind === 'sampling');
  const cap = sampled ? SAMPLED_SHAP_ROWS : SAMPLE_ROWS;
  const t0 = performance.now();
  const probe = evenSample(test.rowIds.length, Math.min(PROBE_ROWS, cap));
  subject.explain(rawRows(test, probe));
  const perRow = (performance.now() - t0) / Math.max(1, probe.length);
  const sample = evenSample(
    test.rowIds.length,
    Math.max(probe.length, Math.min(cap, Math.floor(SHAP_BUDGET_MS / Math.max(perRow, 1e-3)))),
  );
  const rows = rawRows(test, sample);
  return { sample, rows, explained: subject.explain(rows), perRowMs: perRow, startedAt: t0 };
}

/** Per column (in `columns` order), each explained row's contribution to output `pick` picks, with the outputs' values and base. */
export function contributionColumns(
  explained: readonly RowExplanation[],
  columns: readonly ColumnInfo[],
  pick: (e: RowExplanation) => { value: number; base: number; contributions: Record<string, number> },
): { contributions: Float64Array[]; values: Float64Array; baseValue: number } {
  const contributions = columns.map(() => new Float64Array(explained.length));
  const values = new Float64Array(explained.length);
  let baseValue = 0;
  explained.forEach((e, i) => {
    const o = pick(e);
    values[i] = o.value;
    baseValue = o.base;
    columns.forEach((c, j) => {
      contributions[j][i] = o.contributions[c.name] ?? 0;
    });
  });
  return { contributions, values, baseValue };
}

/** Global importance: the mean |contribution| of each column. */
export function meanAbs(contributions: readonly Float64Array[]): number[] {
  return contributions.map((v) => (v.length ? v.reduce((s, x) => s + Math.abs(x), 0) / v.length : 0));
}

/** The predicted class's output of an explained row (the only one of a regressor): what serve answers and logs. */
export function predictedOutput(e: RowExplanation): {
  value: number;
  base: number;
  contributions: Record<string, number>;
} {
  return { value: e.value, base: e.base_value, contributions: e.contributions };
}

/** Computes every figure of the document from the test rows of a model. */
export function explainData(subject: ExplainSubject, test: TrainingTable): ExplainData {
  const a = subject.artefact;
  const cols = subject.columns;
  const G = cols.length;
  const { sample, rows, explained, perRowMs: perRow, startedAt: t0 } = explainSample(subject, test);
  const t1 = performance.now();
  // The class the global plots explain: the second of two classes (the "positive" one), else the
  // class predicted most often in the sample.
  let cls: string | null = null;
  if (a.classes) {
    if (a.classes.length === 2) cls = a.classes[1];
    else {
      const n = new Map<string, number>();
      for (const e of explained) n.set(String(e.prediction), (n.get(String(e.prediction)) ?? 0) + 1);
      cls = [...n.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] ?? a.classes[0];
    }
  }
  const { contributions, values, baseValue } = contributionColumns(explained, cols, (e) => outputOf(e, cls));
  const importance = meanAbs(contributions);
  const rawValues = cols.map((c) => rows.map((r) => r[c.name] ?? null));

  // Interactions: TreeSHAP interaction values on the model's inputs, summed to original columns.
  const interactions: Interaction[] = cols.map(() => ({ with: null, strength: 0, method: 'contribution-correlation' }));
  const byCorrelation = (j: number): Interaction => {
    let best = -1;
    let s = 0;
    for (let k = 0; k < G; k++) {
      if (k === j) continue;
      const r = Math.abs(pearson(contributions[j], contributions[k]));
      if (r > s || best < 0) {
        s = r;
        best = k;
      }
    }
    return { with: best >= 0 && s > 0 ? cols[best].name : null, strength: s, method: 'contribution-correlation' };
  };
  const ti = performance.now();
  const done = new Set<number>();
  // an interaction pass conditions on one column: about three TreeSHAP passes a column and row
  const interactionRows = Math.min(
    INTERACTION_ROWS,
    Math.floor(INTERACTION_BUDGET_MS / (3 * G * Math.max(perRow, 1e-3))),
  );
  let interactionNote: string | null = null;
  if (a.kind !== 'tree') interactionNote = 'this model has no interaction values';
  else if (interactionRows < MIN_INTERACTION_ROWS)
    interactionNote = `its TreeSHAP interaction values would take longer than the page's ${INTERACTION_BUDGET_MS / 1000} s budget on ${MIN_INTERACTION_ROWS} rows`;
  if (a.kind === 'tree' && G > 1 && interactionNote === null) {
    const sum = treeSumOf(subject.model as TreeModel);
    const pick = evenSample(rows.length, interactionRows);
    const X = subject.modelInputs(Array.from(pick, (i) => rows[i]));
    const F = X.cols;
    const K = sum.outputs;
    // which model output carries the explained class (boosting's two classes: one output, its sign)
    const k = cls === null || K === 1 ? 0 : (a.classes ?? []).indexOf(cls);
    const groups = subject.inputGroups;
    for (let j = 0; j < G && performance.now() - ti < INTERACTION_BUDGET_MS; j++) {
      const inputs = Array.from(groups.keys()).filter((i) => groups[i] === j);
      if (inputs.length === 0) continue;
      const { values: phi } = treeShapInteractions(sum, X, inputs);
      const strength = new Float64Array(G);
      for (let r = 0; r < X.rows; r++) {
        const per = new Float64Array(G);
        const m = (r * K + k) * F * F;
        for (const i of inputs) for (let q = 0; q < F; q++) if (groups[q] !== j) per[groups[q]] += phi[m + i * F + q];
        for (let g = 0; g < G; g++) strength[g] += Math.abs(per[g]) / X.rows;
      }
      let best = -1;
      for (let g = 0; g < G; g++) if (g !== j && (best < 0 || strength[g] > strength[best])) best = g;
      interactions[j] = {
        with: best >= 0 && strength[best] > 0 ? cols[best].name : null,
        strength: best >= 0 ? strength[best] : 0,
        method: 'tree-shap-interaction',
      };
      done.add(j);
    }
  }
  for (let j = 0; j < G; j++) if (!done.has(j)) interactions[j] = byCorrelation(j);
  if (interactionNote === null && done.size < G && G > 1)
    interactionNote = "the interaction values ran out of the page's time budget for this column";
  const t2 = performance.now();

  // Partial dependence and ICE: the output at each grid value with every other column kept.
  const clsIndex = cls === null ? 0 : (a.classes ?? []).indexOf(cls);
  const pdRows = evenSample(rows.length, PDP_ROWS);
  const iceAt = evenSample(pdRows.length, ICE_ROWS);
  const pdp = cols.map((c, j): PartialDependence => {
    const grid = gridOf(c, rawValues[j]);
    const batch: RawRow[] = [];
    for (const g of grid) for (const i of pdRows) batch.push({ ...rows[i], [c.name]: g });
    const out = batch.length ? subject.predictOutput(batch, clsIndex) : new Float64Array();
    const R = pdRows.length;
    const pd = grid.map((_, gi) => {
      let s = 0;
      for (let r = 0; r < R; r++) s += out[gi * R + r];
      return s / R;
    });
    const ice = Array.from(iceAt, (r) => grid.map((_, gi) => out[gi * R + r]));
    return { grid, pd, ice, iceRows: Array.from(iceAt, (r) => sample[pdRows[r]]) };
  });
  const t3 = performance.now();
  return {
    columns: cols,
    task: a.task,
    units: a.units,
    method: explained[0]?.method ?? a.kind,
    explainedClass: cls,
    pdpOutput: cls === null ? 'predicted value' : `probability of class ${cls}`,
    testRows: test.rowIds.length,
    sample,
    baseValue,
    values,
    predictions: explained.map((e) => e.prediction),
    contributions,
    rawValues,
    importance,
    interactions,
    interactionNote,
    interactionRows: done.size ? Math.min(interactionRows, rows.length) : 0,
    pdp,
    ms: { shap: Math.round(t1 - t0), interactions: Math.round(t2 - ti), pdp: Math.round(t3 - t2) },
  };
}
