// The explainer artefact: everything needed to explain raw rows of a trained model in any process
// (serve, viz, a script), built where the model was fitted and stored beside its ONNX graph. The
// registry keeps only ONNX bytes, which TreeSHAP cannot read; so at train time buildExplainer
// writes the fitted preprocessing and estimator as JSON state (state.ts), plus what the explainer
// needs besides: the background mean (linear), a background sample (sampled SHAP), the original
// columns (dates are several model inputs) and what the explained outputs are.
//
// explainRows codes raw rows as the API receives them (numbers, text, null, dates), preprocesses
// them as the ONNX graph does (float32 inputs; tree models float32 throughout), and returns per row
// the prediction, the explained output's value, its base value and one contribution per original
// column, base + Σ contributions = value. What is explained, per model:
//   tree     forests: the predicted class's probability, or the regressor's value (exact TreeSHAP);
//            (histogram) gradient boosting: the raw score — log-odds of the predicted class for two
//            classes, its softmax logit for more — or the regressor's value (exact TreeSHAP);
//   linear   logistic regression: log-odds (two classes) or softmax logit; LinearSVC: the class's
//            decision value; linear/ridge/lasso/LinearSVR: the value (exact linear SHAP);
//   sampling kernel SVM, k-NN, naive Bayes: the predicted class's probability or the value, by
//            permutation sampling against the background sample, with a standard error per value;
//   voting   soft-voting ensembles: the average of the members' contributions in probability space
//            (regressors: in the target's units). SHAP values are linear in the model's output and
//            soft voting averages its members' probabilities, so the average of their Shapley values
//            is the ensemble's; each member is explained by its own kind above (one artefact per
//            member, sharing the ensemble's preprocessing). A member explained in log-odds, logits or
//            decision values enters with its contributions rescaled to its probability (see below),
//            so the ensemble's are exact Shapley values only when every member's are in probability.
// Where the explained output is a log-odds, logit or decision value, `probability` also gives the
// class probability with the contributions rescaled to add up to p − p_base (their shares of the
// raw-score change; exact in sum, an apportioning of the link's curvature, not a Shapley value).
import { gunzipSync, gzipSync } from 'node:zlib';
import { Matrix } from '../matrix.js';
import { isClassifier, type Model, type Task } from '../estimator.js';
import { PipelineModel, type FittedPreprocessing } from '../pipeline.js';
import { ColumnTransformerModel } from '../preprocessing/column-transformer.js';
import { UNSEEN, type InputColumn } from '../preprocessing/table.js';
import { datePart, datePartColumn, type DatePart } from '../preprocessing/date-parts.js';
import { RandomForestClassifierModel, RandomForestRegressorModel } from '../ensemble/random-forest.js';
import { GradientBoostingClassifierModel, GradientBoostingRegressorModel } from '../ensemble/gradient-boosting.js';
import { LinearRegressorModel } from '../linear/linear-model.js';
import { LinearClassifierModel } from '../linear/linear-classifier.js';
import { LogisticRegressionModel } from '../linear/logistic-regression.js';
import { RandomState } from '../random/random-state.js';
import { SvcModel } from '../svm/svc.js';
import { VotingClassifierModel, VotingRegressorModel } from '../ensemble/voting.js';
import { treeShap, treeSumOf, type TreeModel, type TreeSum } from './tree-shap.js';
import { backgroundMean, linearShap, type LinearModel } from './linear-shap.js';
import { samplingShap } from './sampling-shap.js';
import type { Contributions } from './contributions.js';
import { fromState, toState, type State } from './state.js';

export type ExplainerKind = 'tree' | 'linear' | 'sampling' | 'voting';
/**
 * probability: a class probability; log-odds: log(p / (1 − p)) of the explained class; logit: a
 * softmax input (raw score) of the class; decision: a LinearSVC decision value; target: the
 * regressor's prediction in the target's units.
 */
export type ExplainedUnits = 'probability' | 'log-odds' | 'logit' | 'decision' | 'target';

/** An original column of the table (what the API receives); a date is several model inputs. */
export type ExplainerColumn =
  | { readonly name: string; readonly kind: 'numeric' | 'categorical' }
  | { readonly name: string; readonly kind: 'date'; readonly parts: readonly DatePart[] };

export interface ExplainerArtefact {
  readonly format: 'enchilada-explainer';
  readonly version: 1;
  readonly kind: ExplainerKind;
  readonly task: Task;
  /** The registry's model type ('random_forest_classifier'), when known. */
  readonly modelType: string | null;
  readonly classes: readonly string[] | null;
  readonly columns: readonly ExplainerColumn[];
  /** How the model's outputs (contribution rows) become the explained output of class k. */
  readonly link: Link;
  readonly units: ExplainedUnits;
  readonly preprocessing: State;
  readonly model: State;
  /** linear: the background mean in the model's input space; sampling: background rows there (rows × cols). */
  readonly background: State;
  readonly sampling: { readonly pairs: number; readonly seed: number; readonly rows: number } | null;
  /** voting: how each member is explained, in the ensemble's member order (its model and preprocessing are the ensemble's). */
  readonly members?: readonly ExplainerMember[];
}

/** One member of a soft-voting ensemble's explainer: what an artefact says of its model, less what the ensemble shares. */
export interface ExplainerMember {
  readonly kind: Exclude<ExplainerKind, 'voting'>;
  readonly link: Link;
  readonly units: ExplainedUnits;
  readonly background: State;
  readonly sampling: ExplainerArtefact['sampling'];
}

/**
 * column: output k is class k's (or the only) explained output; sign: one output, the log-odds of
 * classes[1] (class 0's is its negative); difference: two outputs whose difference (k − other) is
 * class k's log-odds (logistic regression's [0, z]).
 */
export type Link = 'column' | 'sign' | 'difference';

export interface BuildOptions {
  /** The fitted preprocessing (ColumnTransformerModel for mixed tables; a scaler or null for numeric-only pipelines). */
  readonly preprocessing: FittedPreprocessing;
  /** The fitted estimator (the pipeline's final step), or a PipelineModel (its preprocessing is then used). */
  readonly model: Model;
  /** Training rows as the engine's table codes them (before preprocessing): the background. */
  readonly background: Matrix;
  /**
   * The original columns, in order; default: the preprocessing's schema (each engine column its
   * own), which is right unless dates were split into parts.
   */
  readonly columns?: readonly ExplainerColumn[];
  /** Column names for a pipeline without a ColumnTransformer (numeric features, in order). */
  readonly features?: readonly string[];
  readonly modelType?: string;
  /** Sampled SHAP: background rows kept (default 32), antithetic permutation pairs per row (default 16), seed. */
  readonly sampling?: { readonly rows?: number; readonly pairs?: number; readonly seed?: number };
}

function isTreeModel(m: Model): m is TreeModel {
  return (
    m instanceof RandomForestClassifierModel ||
    m instanceof RandomForestRegressorModel ||
    m instanceof GradientBoostingClassifierModel ||
    m instanceof GradientBoostingRegressorModel
  );
}

function isLinearModel(m: Model): m is LinearModel {
  return m instanceof LinearRegressorModel || m instanceof LinearClassifierModel;
}

function kindOf(m: Model): Exclude<ExplainerKind, 'voting'> {
  return isTreeModel(m) ? 'tree' : isLinearModel(m) ? 'linear' : 'sampling';
}

function linkOf(m: Model): { link: Link; units: ExplainedUnits } {
  if (!isClassifier(m)) return { link: 'column', units: 'target' };
  if (m instanceof GradientBoostingClassifierModel)
    return m.K === 1 ? { link: 'sign', units: 'log-odds' } : { link: 'column', units: 'logit' };
  if (m instanceof LogisticRegressionModel)
    return m.classes.length === 2 ? { link: 'difference', units: 'log-odds' } : { link: 'column', units: 'logit' };
  if (m instanceof LinearClassifierModel) return { link: 'column', units: 'decision' };
  return { link: 'column', units: 'probability' };
}

/** The engine schema of a pipeline: the ColumnTransformer's, or numeric features named by `features`. */
function engineSchema(
  pre: FittedPreprocessing,
  nFeatures: number,
  features: readonly string[] | undefined,
): readonly InputColumn[] {
  if (pre instanceof ColumnTransformerModel) return pre.schema;
  if (!features || features.length !== nFeatures)
    throw new RangeError(`a pipeline without a ColumnTransformer needs the names of its ${nFeatures} features`);
  return features.map((name) => ({ name, kind: 'numeric' as const }));
}

/** Builds the artefact at train time (the background: the training rows, or a sample of them). */
export function buildExplainer(options: BuildOptions): ExplainerArtefact {
  const piped = options.model instanceof PipelineModel ? options.model : null;
  const pre = piped ? piped.pre : options.preprocessing;
  const model = piped ? piped.model : options.model;
  const background = options.background;
  if (background.rows === 0) throw new RangeError('the explainer needs at least one background row');
  const schema = engineSchema(pre, background.cols, options.features);
  if (schema.length !== background.cols)
    throw new RangeError(`the background has ${background.cols} columns, the preprocessing reads ${schema.length}`);
  const columns = options.columns ?? schema.map((c) => ({ name: c.name, kind: c.kind }));
  // checks that the columns cover the schema
  engineToOriginal(schema, columns);
  const head = {
    format: 'enchilada-explainer',
    version: 1,
    task: isClassifier(model) ? 'classification' : 'regression',
    modelType: options.modelType ?? null,
    classes: isClassifier(model) ? [...model.classes] : null,
    columns,
  } as const;
  if (model instanceof VotingClassifierModel || model instanceof VotingRegressorModel) {
    const members = model.members.map((m: Model) => memberOf(pre, m, background, options));
    return {
      ...head,
      kind: 'voting',
      link: 'column',
      units: isClassifier(model) ? 'probability' : 'target',
      preprocessing: toState(pre),
      model: toState(model),
      background: null,
      sampling: null,
      members,
    };
  }
  const member = memberOf(pre, model, background, options);
  return { ...head, ...member, preprocessing: toState(pre), model: toState(model) };
}

/** How one fitted model (an ensemble's member, or the model itself) is explained: its kind, link and background. */
function memberOf(pre: FittedPreprocessing, model: Model, background: Matrix, options: BuildOptions): ExplainerMember {
  const kind = kindOf(model);
  const { link, units } = linkOf(model);
  // the SVC's Platt sigmoids are computed on first use: compute them now, so they are stored
  if (model instanceof SvcModel) model.calibration();
  const pipeline = new PipelineModel(pre, model);
  let bg: State = null;
  let sampling: ExplainerArtefact['sampling'] = null;
  if (kind === 'linear') bg = toState(backgroundMean(pipeline.transform(background)));
  if (kind === 'sampling') {
    const rows = Math.min(background.rows, Math.max(1, options.sampling?.rows ?? 32));
    const seed = options.sampling?.seed ?? 0;
    const pick =
      rows === background.rows
        ? Int32Array.from({ length: rows }, (_, i) => i)
        : sampleRows(background.rows, rows, seed);
    bg = toState(pipeline.transform(background.takeRows(pick)));
    sampling = { pairs: Math.max(2, options.sampling?.pairs ?? 16), seed, rows };
  }
  return { kind, link, units, background: bg, sampling };
}

function sampleRows(n: number, k: number, seed: number): Int32Array {
  const perm = new RandomState(seed).permutation(n);
  return Int32Array.from(perm.subarray(0, k)).sort();
}

/** For each engine column, the original column it comes from. */
function engineToOriginal(
  schema: readonly InputColumn[],
  columns: readonly ExplainerColumn[],
): { original: Int32Array; part: (DatePart | null)[] } {
  const at = new Map(schema.map((c, j) => [c.name, j]));
  const original = new Int32Array(schema.length).fill(-1);
  const part: (DatePart | null)[] = schema.map(() => null);
  columns.forEach((c, o) => {
    const names =
      c.kind === 'date' ? c.parts.map((p) => [datePartColumn(c.name, p), p] as const) : [[c.name, null] as const];
    for (const [name, p] of names) {
      const j = at.get(name);
      if (j === undefined) throw new RangeError(`column ${name} is not one the preprocessing reads`);
      if (c.kind !== 'date' && schema[j].kind !== c.kind)
        throw new RangeError(`column ${c.name} is ${c.kind}, the preprocessing reads it as ${schema[j].kind}`);
      original[j] = o;
      part[j] = p;
    }
  });
  const missing = schema.filter((_, j) => original[j] < 0).map((c) => c.name);
  if (missing.length) throw new RangeError(`no original column for the model's input(s) ${missing.join(', ')}`);
  return { original, part };
}

export interface ExplainOptions {
  /** Parses a date given as text to epoch ms (serve and viz pass @enchilada/data's parseDate); default: ISO 8601, UTC unless a zone is given. */
  readonly parseDate?: (text: string) => number | Error;
}

export interface ExplainedOutput {
  /** The class explained (classifiers), or null. */
  readonly output: string | null;
  readonly value: number;
  readonly base_value: number;
  readonly contributions: Record<string, number>;
  /** Sampled SHAP (or an ensemble with a sampled member): the standard error of each contribution. */
  readonly stderr?: Record<string, number>;
}

export interface RowExplanation extends ExplainedOutput {
  /** The predicted class (classifiers) or value (regressors). */
  readonly prediction: string | number;
  readonly probabilities?: Record<string, number>;
  readonly units: ExplainedUnits;
  readonly method: 'tree-shap' | 'linear-shap' | 'sampling-shap' | 'voting-shap';
  /** Sampled SHAP: the standard error of each contribution. */
  readonly stderr?: Record<string, number>;
  /** For log-odds, logit and decision units: the predicted class's probability, its contributions rescaled to p − p_base. */
  readonly probability?: {
    readonly value: number;
    readonly base_value: number;
    readonly contributions: Record<string, number>;
  };
  /** Classifiers: every class's explained output (value, base, contributions), in class order. */
  readonly classes?: readonly ExplainedOutput[];
}

/** An artefact read back, ready to explain rows (serve keeps one per published version). */
export class Explainer {
  readonly kind: ExplainerKind;
  readonly columns: readonly ExplainerColumn[];
  readonly classes: readonly string[] | null;
  readonly units: ExplainedUnits;
  private readonly link: Link;
  private readonly pipeline: PipelineModel;
  private readonly schema: readonly InputColumn[];
  private readonly original: Int32Array;
  private readonly part: readonly (DatePart | null)[];
  /** Per model input column, its original column. */
  private readonly groups: Int32Array;
  private readonly levelIndex: readonly (ReadonlyMap<string, number> | null)[];
  private readonly treeSum: TreeSum | null;
  private readonly mean: Float64Array | null;
  private readonly background: Matrix | null;
  /** voting: one explainer per member, on the ensemble's preprocessing. */
  private readonly members: readonly Explainer[] | null;

  /** `decoded`: the fitted preprocessing and model when already read (an ensemble's members), else read from the artefact. */
  constructor(
    readonly artefact: ExplainerArtefact,
    decoded?: { readonly pre: FittedPreprocessing; readonly model: Model },
  ) {
    if (artefact.format !== 'enchilada-explainer' || artefact.version !== 1)
      throw new RangeError('not an explainer artefact of version 1');
    this.kind = artefact.kind;
    this.columns = artefact.columns;
    this.classes = artefact.classes;
    this.units = artefact.units;
    this.link = artefact.link;
    const pre = decoded ? decoded.pre : (fromState(artefact.preprocessing) as FittedPreprocessing);
    const model = decoded ? decoded.model : (fromState(artefact.model) as Model);
    this.pipeline = new PipelineModel(pre, model);
    const nInputs = pre instanceof ColumnTransformerModel ? pre.schema.length : artefact.columns.length;
    this.schema =
      pre instanceof ColumnTransformerModel
        ? pre.schema
        : engineSchema(
            pre,
            nInputs,
            artefact.columns.map((c) => c.name),
          );
    const { original, part } = engineToOriginal(this.schema, artefact.columns);
    this.original = original;
    this.part = part;
    this.groups =
      pre instanceof ColumnTransformerModel ? Int32Array.from(pre.outputGroups, (g) => original[g]) : original;
    this.levelIndex = this.schema.map((c) =>
      c.kind === 'categorical' ? new Map(c.levels.map((l, k) => [l, k])) : null,
    );
    this.treeSum = artefact.kind === 'tree' ? treeSumOf(model as TreeModel) : null;
    this.mean = artefact.kind === 'linear' ? (fromState(artefact.background) as Float64Array) : null;
    this.background = artefact.kind === 'sampling' ? (fromState(artefact.background) as Matrix) : null;
    this.members = artefact.kind === 'voting' ? memberExplainers(artefact, pre, model) : null;
  }

  /** Raw rows (original column → value) as the engine's coded table; numbers rounded to float32 as the ONNX graph reads them. */
  code(rows: readonly Readonly<Record<string, unknown>>[], options: ExplainOptions = {}): Matrix {
    const parse = options.parseDate ?? defaultParseDate;
    const F = this.schema.length;
    const X = new Matrix(rows.length, F);
    rows.forEach((r, i) => {
      const dates = new Map<number, number>();
      for (let j = 0; j < F; j++) {
        const c = this.schema[j];
        const col = this.columns[this.original[j]];
        const v = r[col.name];
        let x: number;
        if (v === null || v === undefined || v === '') x = NaN;
        else if (col.kind === 'date') {
          let ms = dates.get(this.original[j]);
          if (ms === undefined) {
            ms =
              v instanceof Date
                ? v.getTime()
                : typeof v === 'number'
                  ? v
                  : typeof v === 'string'
                    ? unwrap(parse(v), col.name)
                    : NaN;
            if (typeof v !== 'string' && typeof v !== 'number' && !(v instanceof Date))
              throw new RangeError(`${col.name} must be a date, got ${typeof v}`);
            dates.set(this.original[j], ms);
          }
          x = datePart(ms, this.part[j] ?? 'year');
        } else if (c.kind === 'numeric') {
          if (typeof v !== 'number') throw new RangeError(`${col.name} must be a number, got ${typeof v}`);
          x = Math.fround(v);
        } else {
          if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
            throw new RangeError(`${col.name} must be text, got ${typeof v}`);
          x = this.levelIndex[j]?.get(String(v)) ?? UNSEEN;
        }
        X.data[i * F + j] = x;
      }
    });
    return X;
  }

  /** Explains raw rows: per row the prediction, the explained output, its base value and contributions per original column. */
  explain(rows: readonly Readonly<Record<string, unknown>>[], options: ExplainOptions = {}): RowExplanation[] {
    return this.explainCoded(this.code(rows, options));
  }

  /** As explain, for rows already coded as the engine's table (viz's training table). */
  explainCoded(X: Matrix): RowExplanation[] {
    if (this.members) return this.explainVoting(X, this.members);
    const Xm = this.pipeline.transform(X);
    const model = this.pipeline.model;
    const G = this.columns.length;
    const names = this.columns.map((c) => c.name);
    let c: Contributions;
    let stderr: Float64Array | null = null;
    if (this.treeSum) c = treeShap(this.treeSum, Xm);
    else if (this.mean) c = linearShap(model as LinearModel, Xm, this.mean);
    else {
      const bg = this.background;
      if (!bg) throw new Error('the sampling explainer has no background');
      const predict = isClassifier(model)
        ? (Z: Matrix) => model.predictProba(Z).data
        : (Z: Matrix) => Float64Array.from(model.predict(Z));
      const s = this.artefact.sampling;
      const sampled = samplingShap(predict, Xm, bg, {
        groups: this.groups,
        players: G,
        pairs: s?.pairs ?? 16,
        seed: s?.seed ?? 0,
      });
      c = sampled;
      stderr = sampled.stderr;
    }
    // per original column (sampled SHAP is per original column already)
    const grouped = c.features === G && stderr ? c : sumGroups(c, this.groups, G);
    const K = grouped.outputs;
    // the model's own outputs, to report (and that base + Σ reproduces)
    const outputs = this.modelOutputs(Xm, K);
    const proba = isClassifier(model) ? model.predictProba(Xm) : null;
    const predicted = model.predict(Xm);
    const out: RowExplanation[] = [];
    for (let i = 0; i < X.rows; i++) {
      const perOutput = (k: number): { value: number; base: number; contrib: Float64Array } => {
        const o = (i * K + k) * G;
        return { value: outputs[i * K + k], base: grouped.base[k], contrib: grouped.values.subarray(o, o + G) };
      };
      const explained = (cls: number): { value: number; base: number; contrib: Float64Array } => {
        if (this.link === 'sign') {
          const r = perOutput(0);
          return cls === 1 ? r : { value: -r.value, base: -r.base, contrib: r.contrib.map((v) => -v) };
        }
        if (this.link === 'difference') {
          const a = perOutput(cls);
          const b = perOutput(1 - cls);
          return {
            value: a.value - b.value,
            base: a.base - b.base,
            contrib: a.contrib.map((v, j) => v - b.contrib[j]),
          };
        }
        return perOutput(cls);
      };
      const record = (v: ArrayLike<number>): Record<string, number> =>
        Object.fromEntries(names.map((n, j) => [n, v[j]]));
      if (this.classes && proba) {
        const C = this.classes.length;
        const k = predicted[i];
        const all = this.classes.map((name, cls) => {
          const e = explained(cls);
          return {
            output: name,
            value: e.value,
            base_value: e.base,
            contributions: record(e.contrib),
            ...(stderr ? { stderr: record(stderr.subarray((i * K + cls) * G, (i * K + cls + 1) * G)) } : {}),
          };
        });
        const e = explained(k);
        const probabilities = Object.fromEntries(this.classes.map((name, cls) => [name, proba.data[i * C + cls]]));
        const row: RowExplanation = {
          prediction: this.classes[k],
          probabilities,
          output: this.classes[k],
          units: this.units,
          method: METHOD[this.kind],
          value: e.value,
          base_value: e.base,
          contributions: record(e.contrib),
          classes: all,
          ...(stderr ? { stderr: record(stderr.subarray((i * K + k) * G, (i * K + k + 1) * G)) } : {}),
          ...(this.units !== 'probability' ? { probability: this.probabilityOf(e, proba.data[i * C + k], k) } : {}),
        };
        out.push(row);
      } else {
        const e = perOutput(0);
        out.push({
          prediction: predicted[i],
          output: null,
          units: this.units,
          method: METHOD[this.kind],
          value: e.value,
          base_value: e.base,
          contributions: record(e.contrib),
          ...(stderr ? { stderr: record(stderr.subarray(i * G, (i + 1) * G)) } : {}),
        });
      }
    }
    return out;
  }

  /** rows × K: what the contributions explain, from the model itself (not from base + Σ). */
  private modelOutputs(Xm: Matrix, K: number): Float64Array {
    const m = this.pipeline.model;
    if (m instanceof GradientBoostingClassifierModel || m instanceof LinearClassifierModel)
      return m.decisionFunction(Xm).data;
    if (isClassifier(m)) return m.predictProba(Xm).data;
    const v = Float64Array.from(m.predict(Xm));
    if (K !== 1) throw new Error(`a regressor explained with ${K} outputs`);
    return v;
  }

  /**
   * Every class's explained output of an explained row in probability space: as they are when this
   * model is explained in probabilities, else each class's contributions rescaled to p − p_base
   * (exact in sum; see the opening comment). A soft-voting ensemble averages these.
   */
  inProbability(row: RowExplanation): ExplainedOutput[] {
    const classes = row.classes ?? [];
    if (this.units === 'probability') return [...classes];
    const names = this.columns.map((c) => c.name);
    return classes.map((e, k) => {
      const p = row.probabilities?.[e.output ?? ''] ?? NaN;
      return {
        output: e.output,
        ...this.probabilityOf(
          { value: e.value, base: e.base_value, contrib: names.map((n) => e.contributions[n] ?? 0) },
          p,
          k,
        ),
      };
    });
  }

  /**
   * A soft-voting ensemble's rows: each member explains them, and the ensemble's contributions,
   * base and value per class are the means of the members' in probability space (regressors: of
   * their values), the standard errors of sampled members combined as independent ones. The means
   * are summed in member order and divided by the count, as the ensemble averages probabilities,
   * so the value is the ensemble's own output.
   */
  private explainVoting(X: Matrix, members: readonly Explainer[]): RowExplanation[] {
    const names = this.columns.map((c) => c.name);
    const G = names.length;
    const M = members.length;
    const record = (v: ArrayLike<number>): Record<string, number> => Object.fromEntries(names.map((n, j) => [n, v[j]]));
    const mean = (outs: readonly ExplainedOutput[], output: string | null): ExplainedOutput => {
      let value = 0;
      let base = 0;
      const sum = new Float64Array(G);
      let se: Float64Array | null = null;
      for (const o of outs) {
        value += o.value;
        base += o.base_value;
        for (let j = 0; j < G; j++) sum[j] += o.contributions[names[j]] ?? 0;
        const s = o.stderr;
        if (s) {
          const acc = (se ??= new Float64Array(G));
          for (let j = 0; j < G; j++) acc[j] += (s[names[j]] ?? 0) ** 2;
        }
      }
      return {
        output,
        value: value / M,
        base_value: base / M,
        contributions: record(sum.map((v) => v / M)),
        ...(se ? { stderr: record(se.map((v) => Math.sqrt(v) / M)) } : {}),
      };
    };
    const per = members.map((m) => m.explainCoded(X));
    const out: RowExplanation[] = [];
    for (let i = 0; i < X.rows; i++) {
      if (this.classes) {
        const classes = this.classes.map((name, k) =>
          mean(
            members.map((m, mi) => m.inProbability(per[mi][i])[k]),
            name,
          ),
        );
        // the first largest, as the ensemble's argmax
        let best = 0;
        classes.forEach((c, k) => {
          if (c.value > classes[best].value) best = k;
        });
        const top = classes[best];
        out.push({
          ...top,
          prediction: this.classes[best],
          probabilities: Object.fromEntries(classes.map((c) => [c.output ?? '', c.value])),
          units: 'probability',
          method: 'voting-shap',
          classes,
        });
      } else {
        const r = mean(
          per.map((rows) => rows[i]),
          null,
        );
        out.push({ ...r, prediction: r.value, units: this.units, method: 'voting-shap' });
      }
    }
    return out;
  }

  /** The probability of class k at the base value (the link applied to the base outputs), and contributions rescaled to p − p_base. */
  private probabilityOf(
    e: { value: number; base: number; contrib: ArrayLike<number> },
    p: number,
    k: number,
  ): NonNullable<RowExplanation['probability']> {
    let p0: number;
    const base = this.baseOutputs();
    if (this.units === 'log-odds') p0 = 1 / (1 + Math.exp(-e.base));
    else if (this.units === 'logit') {
      const mx = Math.max(...base);
      const ex = base.map((b) => Math.exp(b - mx));
      p0 = ex[k] / ex.reduce((s, v) => s + v, 0);
    } else {
      // LinearSVC: liblinear's one-vs-rest estimate, the logistic of each decision normalised
      const sig = base.map((b) => 1 / (1 + Math.exp(-b)));
      p0 = sig[k] / sig.reduce((s, v) => s + v, 0);
    }
    const dz = e.value - e.base;
    const scale = Math.abs(dz) > 1e-300 ? (p - p0) / dz : 0;
    const names = this.columns.map((c) => c.name);
    return {
      value: p,
      base_value: p0,
      contributions: Object.fromEntries(names.map((n, j) => [n, e.contrib[j] * scale])),
    };
  }

  private baseCache: number[] | null = null;
  private baseOutputs(): number[] {
    if (this.baseCache) return this.baseCache;
    const probe = this.explainBase();
    this.baseCache = probe;
    return probe;
  }

  /** The base value of each model output (independent of the row). */
  private explainBase(): number[] {
    if (this.treeSum) {
      const X = new Matrix(1, this.treeSum.nFeatures);
      return Array.from(treeShap(this.treeSum, X).base);
    }
    if (this.mean) {
      const X = new Matrix(1, this.mean.length);
      return Array.from(linearShap(this.pipeline.model as LinearModel, X, this.mean).base);
    }
    return [];
  }
}

const METHOD = { tree: 'tree-shap', linear: 'linear-shap', sampling: 'sampling-shap', voting: 'voting-shap' } as const;

/** The explainers of a soft-voting ensemble's members, each on the ensemble's preprocessing. */
function memberExplainers(artefact: ExplainerArtefact, pre: FittedPreprocessing, model: Model): Explainer[] {
  if (!(model instanceof VotingClassifierModel || model instanceof VotingRegressorModel))
    throw new RangeError("a voting explainer's model is not a soft-voting ensemble");
  const specs = artefact.members ?? [];
  if (specs.length !== model.members.length)
    throw new RangeError(
      `the voting explainer describes ${specs.length} members, the ensemble has ${model.members.length}`,
    );
  return model.members.map(
    (m: Model, i) => new Explainer({ ...artefact, ...specs[i], members: [] }, { pre, model: m }),
  );
}

function unwrap(v: number | Error, column: string): number {
  if (v instanceof Error) throw new RangeError(`${column}: ${v.message}`);
  return v;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** ISO 8601 dates and times, UTC unless the text gives a zone (what @enchilada/data's parseDate reads). */
function defaultParseDate(text: string): number | Error {
  const m = ISO.exec(text.trim());
  if (!m) return new Error(`"${text}" is not a date (YYYY-MM-DD, optionally with a time HH:MM:SS)`);
  const zone = m[8]
    ? m[8].toUpperCase() === 'Z'
      ? 'Z'
      : m[8].length === 5
        ? `${m[8].slice(0, 3)}:${m[8].slice(3)}`
        : m[8]
    : 'Z';
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${m[7] ?? ''}${zone}`);
  return Number.isNaN(t) ? new Error(`"${text}" is not a date`) : t;
}

function sumGroups(c: Contributions, groups: Int32Array, G: number): Contributions {
  if (c.features === G && groups.every((g, j) => g === j)) return c;
  const out = {
    rows: c.rows,
    outputs: c.outputs,
    features: G,
    values: new Float64Array(c.rows * c.outputs * G),
    base: Float64Array.from(c.base),
  };
  const F = c.features;
  for (let r = 0; r < c.rows * c.outputs; r++)
    for (let j = 0; j < F; j++) out.values[r * G + groups[j]] += c.values[r * F + j];
  return out;
}

/**
 * The artefact with its original columns named (viz: a date column is its parts); checked against
 * the preprocessing's schema.
 */
export function withExplainerColumns(
  artefact: ExplainerArtefact,
  columns: readonly ExplainerColumn[],
): ExplainerArtefact {
  const out = { ...artefact, columns };
  void new Explainer(out);
  return out;
}

/** Reads an artefact back (or passes a loaded explainer through). */
export function loadExplainer(artefact: ExplainerArtefact | Explainer): Explainer {
  return artefact instanceof Explainer ? artefact : new Explainer(artefact);
}

/** Explains raw rows with an artefact (load it once with loadExplainer when explaining often). */
export function explainRows(
  artefact: ExplainerArtefact | Explainer,
  rows: readonly Readonly<Record<string, unknown>>[],
  options: ExplainOptions = {},
): RowExplanation[] {
  return loadExplainer(artefact).explain(rows, options);
}

/** The artefact as stored (models.explainer): gzip, base64, behind a 'gz1:' tag. */
export function serialiseExplainer(artefact: ExplainerArtefact): string {
  return `gz1:${gzipSync(JSON.stringify(artefact)).toString('base64')}`;
}

/** The artefact of a stored text (gzip'd or plain JSON). */
export function parseExplainer(text: string): ExplainerArtefact {
  const json = text.startsWith('gz1:') ? gunzipSync(Buffer.from(text.slice(4), 'base64')).toString('utf8') : text;
  const a = JSON.parse(json) as ExplainerArtefact;
  if (a.format !== 'enchilada-explainer') throw new RangeError('the stored text is not an explainer artefact');
  return a;
}
