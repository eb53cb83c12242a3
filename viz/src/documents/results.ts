// The results document of one model, computed from the stored ONNX model's predictions on the
// stored split (what is shown is what will be served). Regression: metrics, residual histogram,
// residuals against predictions, truth against predictions, switched between test and training
// rows. Classification: classification reports, confusion matrices (raw or normalised), ROC and
// precision-recall curves. Both: permutation importance on the test rows, the cross-validation
// results, the training settings, and a picker of the dataset's other models.
import { auc, averagePrecision, precisionRecallCurve, rocCurve } from '@enchilada/ml';
import { FOLDS, type ModelDetail, type ModelSummary } from '@enchilada/models';
import { labelled, type TrainingColumn, type TrainingTable } from '@enchilada/data';
import { DocumentBuilder, type EmbedItem, type LayoutDOM } from '../bokeh/model.js';
import { PALETTE, count, dataTable, div, esc, figure, glyph, source } from '../bokeh/builders.js';
import { histogram } from './eda-analysis.js';
import type { OnnxModel, OnnxOutputs } from '../scoring/onnx-model.js';
import type { ClassificationMetrics, RegressionMetrics } from '../training/metrics.js';

export interface ResultsInput {
  readonly model: ModelDetail;
  readonly others: readonly ModelSummary[];
  readonly displayName: (id: string) => string;
  readonly train: TrainingTable;
  readonly test: TrainingTable;
  readonly onnx: OnnxModel;
}

const r4 = (v: number) => (Number.isFinite(v) ? Math.round(v * 10000) / 10000 : v);

function permuted(c: TrainingColumn, perm: Int32Array): TrainingColumn {
  return c.kind === 'categorical'
    ? { ...c, values: Array.from(perm, (p) => c.values[p]) }
    : { ...c, values: Float64Array.from(perm, (p) => c.values[p]) };
}

/**
 * Score drop when one original column's test values are shuffled (deterministic permutation), per
 * column: a text column's one-hot outputs move together, so its importance is the column's.
 */
async function permutationImportance(
  onnx: OnnxModel,
  model: ModelDetail,
  data: TrainingTable,
  score: (o: OnnxOutputs) => number,
  base: number,
): Promise<number[]> {
  const n = data.rowIds.length;
  const out: number[] = [];
  for (let j = 0; j < data.columns.length; j++) {
    let s = 12345 + j;
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const k = s % (i + 1);
      const t = perm[i];
      perm[i] = perm[k];
      perm[k] = t;
    }
    const cols = data.columns.map((c, jj) => (jj === j ? permuted(c, perm) : c));
    out.push(base - score(await onnx.score(model, cols, n)));
  }
  return out;
}

interface PreprocessingSummary {
  readonly params: {
    numericStrategy: string;
    addIndicator: boolean;
    scale: boolean;
    categoricalStrategy: string;
    categoricalFill: string;
    encoding: string;
    minFrequency: number | null;
    maxCategories: number | null;
  };
  readonly outputs: number;
  readonly columns: readonly {
    name: string;
    kind: string;
    missing: number;
    imputed: number | string | null;
    categories: number | null;
  }[];
}

const STRATEGY: Record<string, string> = {
  mean: 'the mean',
  median: 'the median',
  most_frequent: 'the most frequent value',
  constant: 'a constant',
};

/** The preprocessing in words, then per column: its kind, missing values among the training rows and what was done. */
function preprocessingHtml(m: ModelDetail): string {
  const p = m.preprocessing as PreprocessingSummary | null;
  if (!p) return 'Preprocessing: StandardScaler (this model was trained on complete numeric rows only).<br>';
  const q = p.params;
  // histogram boosting takes text columns as native categories (ordinal codes), every other model one-hot
  const native = q.encoding === 'ordinal' && m.modelType.startsWith('hist_gradient_boosting');
  const text =
    q.categoricalStrategy === 'constant'
      ? `a missing value is its own category (<code>${esc(q.categoricalFill)}</code>)`
      : 'a missing value becomes the most frequent category';
  const enc =
    q.encoding === 'onehot'
      ? `one-hot encoded${q.minFrequency !== null ? `, categories seen fewer than ${q.minFrequency} ${q.minFrequency < 1 ? '× rows' : 'times'} grouped as infrequent` : ''}${q.maxCategories !== null ? `, at most ${q.maxCategories} columns each` : ''}, a category never seen in training counted as infrequent (or as none)`
      : native
        ? 'ordinal codes split natively as categories by histogram boosting (a set of categories per split; a category never seen in training goes where missing values go)'
        : 'ordinal encoded (−1 for a category never seen in training)';
  const rows = p.columns
    .map((c) => {
      const what =
        c.kind === 'categorical'
          ? `${c.categories ?? 0} categories, ${q.encoding === 'onehot' ? 'one-hot' : native ? 'native categorical splits' : 'ordinal'}`
          : c.kind === 'date'
            ? 'year, month, day, weekday (and hour) as numbers'
            : q.scale
              ? 'standardised'
              : 'as is';
      const imputed =
        c.imputed === null
          ? ''
          : typeof c.imputed === 'number'
            ? ` → ${r4(c.imputed)}`
            : ` → <code>${esc(c.imputed)}</code>`;
      return `<tr><td><code>${esc(c.name)}</code></td><td>${esc(c.kind)}</td><td class="text-end">${count(c.missing)}</td><td>${c.missing ? `imputed${imputed}; ` : ''}${what}</td></tr>`;
    })
    .join('');
  return `Preprocessing (fitted inside each fold, then on all training rows): numbers — missing values imputed with ${STRATEGY[q.numericStrategy] ?? esc(q.numericStrategy)}${q.addIndicator ? ' plus a 0/1 missing indicator' : ''}${q.scale ? ', then standardised' : ''}; text — ${text}, ${enc}. ${p.outputs} model inputs in all.
    <table class="table table-sm w-auto my-1" data-testid="preprocessing"><thead><tr><th>column</th><th>kind</th><th class="text-end">missing (train)</th><th>treatment</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export async function resultsDocument(input: ResultsInput): Promise<EmbedItem> {
  const { model: m, train, test, onnx } = input;
  const b = new DocumentBuilder();
  const [oTrain, oTest] = [
    await onnx.score(m, train.columns, train.rowIds.length),
    await onnx.score(m, test.columns, test.rowIds.length),
  ];
  const blocks: LayoutDOM[] = [];

  // Model picker and settings.
  const picker = b.bk('Select', {
    title: 'Model',
    value: String(m.id),
    width: 420,
    options: input.others.map(
      (o) =>
        [
          String(o.id),
          `#${o.id} ${input.displayName(o.modelType)} · test ${r4(o.testScore)} · ${o.createdAt.toISOString().slice(0, 16).replace('T', ' ')}`,
        ] as [string, string],
    ),
  });
  b.set(picker, {
    js_property_callbacks: {
      'change:value': [
        b.bk('CustomJS', { args: {}, code: "window.location.href = '/results?model=' + cb_obj.value;" }),
      ],
    },
  });
  const params =
    Object.entries(m.bestParams)
      .map(([k, v]) => `${esc(k)} = ${r4(v)}`)
      .join(', ') || 'none';
  const grid =
    Object.entries(m.grid)
      .map(([k, v]) => `${esc(k)} ∈ {${v.map(r4).join(', ')}}`)
      .join('; ') || 'no hyperparameters';
  blocks.push(
    b.bk('Row', { children: [picker] }),
    div(
      b,
      `<div class="small" data-testid="settings"><strong>${esc(input.displayName(m.modelType))}</strong> on <code>${esc(m.datasetName)}</code> (version ${m.datasetVersion}), target <code>${esc(m.target)}</code>;
    features ${m.features.map((f) => `<code>${esc(f)}</code>`).join(', ')}.<br>Train split ${m.trainFraction} (seed ${m.splitSeed}): ${count(train.rowIds.length)} training rows, ${count(test.rowIds.length)} test rows; ${FOLDS}-fold cross-validation over ${grid}.<br>${preprocessingHtml(m)}
    Best: ${params} · CV ${r4(m.cvScore)} · train ${r4(m.trainScore)} · test ${r4(m.testScore)} · trained in ${(m.durationMs / 1000).toFixed(1)} s · ONNX ${(m.onnxBytes / 1024).toFixed(1)} kB. Every figure here comes from the ONNX model scored by onnxruntime.</div>`,
    ),
  );

  let scoreFn: (o: OnnxOutputs) => number;
  let base: number;
  if (m.task === 'regression') {
    const yTr = 'values' in train.target ? train.target.values : new Float64Array();
    const yTe = 'values' in test.target ? test.target.values : new Float64Array();
    const metrics = m.metrics as { train: RegressionMetrics; test: RegressionMetrics };
    blocks.push(
      dataTable(
        b,
        source(b, {
          metric: ['MSE', 'RMSE', 'MAE', 'R²'],
          train: [metrics.train.mse, metrics.train.rmse, metrics.train.mae, metrics.train.r2].map(r4),
          test: [metrics.test.mse, metrics.test.rmse, metrics.test.mae, metrics.test.r2].map(r4),
        }),
        [
          { field: 'metric', title: 'metric' },
          { field: 'train', title: 'train', numeric: true },
          { field: 'test', title: 'test', numeric: true },
        ],
        150,
      ),
    );
    const sets = (y: Float64Array, p: Float32Array) => {
      const pred = Float64Array.from(p);
      const resid = Float64Array.from(y, (v, i) => v - pred[i]);
      const h = histogram(resid);
      return {
        points: { y: Array.from(y), pred: Array.from(pred), resid: Array.from(resid) },
        hist: { left: h.left, right: h.right, count: h.count },
      };
    };
    const tr = sets(yTr, oTrain.variable ?? new Float32Array());
    const te = sets(yTe, oTest.variable ?? new Float32Array());
    const pts = source(b, te.points);
    const hist = source(b, te.hist);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of [...yTr, ...yTe, ...tr.points.pred, ...te.points.pred]) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const diag = source(b, { x: [lo, hi], y: [lo, hi] });
    const residHist = figure(b, {
      title: 'Residuals (truth − prediction)',
      xLabel: 'residual',
      yLabel: 'rows',
      width: 300,
      height: 300,
      tooltips: [
        ['rows', '@count'],
        ['from', '@left{0.[00]}'],
        ['to', '@right{0.[00]}'],
      ],
      renderers: [
        glyph(b, hist, 'Quad', {
          left: { field: 'left' },
          right: { field: 'right' },
          top: { field: 'count' },
          bottom: 0,
          fill_color: '#1f77b4',
          fill_alpha: 0.7,
          line_color: 'white',
        }),
      ],
    });
    const residPlot = figure(b, {
      title: 'Residuals against predictions',
      xLabel: `predicted ${m.target}`,
      yLabel: 'residual',
      width: 300,
      height: 300,
      tooltips: [
        ['predicted', '@pred{0.[000]}'],
        ['residual', '@resid{0.[000]}'],
      ],
      renderers: [
        glyph(b, pts, 'Scatter', {
          x: { field: 'pred' },
          y: { field: 'resid' },
          size: 5,
          fill_color: '#ff7f0e',
          fill_alpha: 0.6,
          line_color: null,
        }),
      ],
    });
    const truthPlot = figure(b, {
      title: 'Truth against predictions',
      xLabel: `predicted ${m.target}`,
      yLabel: `true ${m.target}`,
      width: 300,
      height: 300,
      tooltips: [
        ['predicted', '@pred{0.[000]}'],
        ['true', '@y{0.[000]}'],
      ],
      renderers: [
        glyph(b, diag, 'Line', { x: { field: 'x' }, y: { field: 'y' }, line_color: '#888', line_dash: 'dashed' }),
        glyph(b, pts, 'Scatter', {
          x: { field: 'pred' },
          y: { field: 'y' },
          size: 5,
          fill_color: '#2ca02c',
          fill_alpha: 0.6,
          line_color: null,
        }),
      ],
    });
    const which = b.bk('Select', {
      title: 'Rows',
      value: 'test',
      options: [
        ['test', 'test rows'],
        ['train', 'training rows'],
      ] as [string, string][],
      width: 200,
    });
    b.set(which, {
      js_property_callbacks: {
        'change:value': [
          b.bk('CustomJS', {
            args: { pts, hist, sets: { train: tr, test: te } },
            code: 'const s = sets[cb_obj.value]; pts.data = s.points; hist.data = s.hist;',
          }),
        ],
      },
    });
    blocks.push(which, b.bk('Row', { children: [residHist, residPlot, truthPlot] }));
    scoreFn = (o) => {
      const p = o.variable ?? new Float32Array();
      let ss = 0;
      let st = 0;
      let mean = 0;
      for (const v of yTe) mean += v;
      mean /= yTe.length;
      for (let i = 0; i < yTe.length; i++) {
        ss += (yTe[i] - p[i]) ** 2;
        st += (yTe[i] - mean) ** 2;
      }
      return 1 - ss / st;
    };
    base = metrics.test.r2;
  } else {
    const classes = m.classes ?? [];
    // What people read: "benign (1)" where the dataset named its classes when the model was trained.
    const shown = classes.map((c) => labelled(m.classLabels, c));
    const codes = (d: TrainingTable) =>
      Int32Array.from('labels' in d.target ? d.target.labels : [], (l) => classes.indexOf(l));
    const yTe = codes(test);
    const metrics = m.metrics as { train: ClassificationMetrics; test: ClassificationMetrics };
    const report = (name: string, r: ClassificationMetrics) => {
      const rows = [
        ...r.report.perClass.map((c, i) => ({ label: shown[i], ...c })),
        { label: 'macro avg', ...r.report.macro },
        { label: 'weighted avg', ...r.report.weighted },
      ];
      return b.bk('Column', {
        children: [
          div(b, `<h3 class="h6 mb-0">${name}: accuracy ${r4(r.accuracy)}</h3>`),
          dataTable(
            b,
            source(b, {
              label: rows.map((x) => x.label),
              precision: rows.map((x) => r4(x.precision)),
              recall: rows.map((x) => r4(x.recall)),
              f1: rows.map((x) => r4(x.f1)),
              support: rows.map((x) => x.support),
            }),
            [
              { field: 'label', title: '' },
              { field: 'precision', title: 'precision', numeric: true },
              { field: 'recall', title: 'recall', numeric: true },
              { field: 'f1', title: 'f1-score', numeric: true },
              { field: 'support', title: 'support', numeric: true },
            ],
            40 + 28 * rows.length,
          ),
        ],
        width: 460,
      });
    };
    blocks.push(b.bk('Row', { children: [report('Test', metrics.test), report('Train', metrics.train)] }));
    const heat = (name: string, cm: number[][]) => {
      const k = classes.length;
      const raw: Record<string, unknown[]> = { t: [], p: [], v: [], label: [], color: [] };
      const norm: Record<string, unknown[]> = { t: [], p: [], v: [], label: [], color: [] };
      for (let i = 0; i < k; i++) {
        const rowSum = cm[i].reduce((s, v) => s + v, 0) || 1;
        const max = Math.max(1, ...cm.flat());
        for (let j = 0; j < k; j++) {
          const v = cm[i][j];
          const nv = v / rowSum;
          const shade = (x: number) => {
            const c = Math.round(255 - 200 * x);
            return `rgb(${c},${Math.round(255 - 120 * x)},255)`;
          };
          raw.t.push(shown[i]);
          raw.p.push(shown[j]);
          raw.v.push(v);
          raw.label.push(String(v));
          raw.color.push(shade(v / max));
          norm.t.push(shown[i]);
          norm.p.push(shown[j]);
          norm.v.push(nv);
          norm.label.push(nv.toFixed(2));
          norm.color.push(shade(nv));
        }
      }
      const src = source(b, raw);
      const plot = figure(b, {
        title: `Confusion matrix, ${name}`,
        xFactors: shown,
        yFactors: [...shown].reverse(),
        xLabel: 'predicted',
        yLabel: 'true',
        width: 380,
        height: 340,
        tooltips: [
          ['true', '@t'],
          ['predicted', '@p'],
          ['value', '@label'],
        ],
        renderers: [
          glyph(b, src, 'Rect', {
            x: { field: 'p' },
            y: { field: 't' },
            width: 1,
            height: 1,
            fill_color: { field: 'color' },
            line_color: 'white',
          }),
          b.bk('GlyphRenderer', {
            data_source: src,
            glyph: b.bk('Text', {
              x: { field: 'p' },
              y: { field: 't' },
              text: { field: 'label' },
              text_align: 'center',
              text_baseline: 'middle',
              text_font_size: '13px',
            }),
            view: b.bk('CDSView', {}),
          }),
        ],
      });
      return { plot, src, raw, norm };
    };
    const hTest = heat('test', metrics.test.confusion);
    const hTrain = heat('train', metrics.train.confusion);
    const toggle = b.bk('RadioButtonGroup', { labels: ['counts', 'normalised by true class'], active: 0 });
    b.set(toggle, {
      js_property_callbacks: {
        'change:active': [
          b.bk('CustomJS', {
            args: { a: hTest.src, b2: hTrain.src, ar: hTest.raw, an: hTest.norm, br: hTrain.raw, bn: hTrain.norm },
            code: 'const n = cb_obj.active === 1; a.data = n ? an : ar; b2.data = n ? bn : br;',
          }),
        ],
      },
    });
    blocks.push(
      div(b, '<h3 class="h6 mt-2 mb-0">Confusion matrices</h3>'),
      toggle,
      b.bk('Row', { children: [hTest.plot, hTrain.plot] }),
    );
    // ROC and precision-recall, one-vs-rest, on the test rows.
    const proba = oTest.probabilities ?? new Float32Array();
    const k = classes.length;
    const rocR = [];
    const prR = [];
    const items = [];
    const prItems = [];
    for (let c = 0; c < k; c++) {
      if (k === 2 && c === 0) continue;
      const pos = Array.from(yTe, (v) => v === c);
      const scores = Array.from(yTe, (_, i) => proba[i * k + c]);
      if (!pos.some(Boolean) || pos.every(Boolean)) continue;
      const roc = rocCurve(pos, scores);
      const pr = precisionRecallCurve(pos, scores);
      const color = PALETTE[c % PALETTE.length];
      const r1 = glyph(b, source(b, { x: roc.fpr, y: roc.tpr }), 'Line', {
        x: { field: 'x' },
        y: { field: 'y' },
        line_color: color,
        line_width: 2,
      });
      const r2 = glyph(b, source(b, { x: pr.recall, y: pr.precision }), 'Line', {
        x: { field: 'x' },
        y: { field: 'y' },
        line_color: color,
        line_width: 2,
      });
      rocR.push(r1);
      prR.push(r2);
      items.push(
        b.bk('LegendItem', {
          label: { value: `${shown[c]} (AUC ${auc(roc.fpr, roc.tpr).toFixed(3)})` },
          renderers: [r1],
        }),
      );
      prItems.push(
        b.bk('LegendItem', {
          label: { value: `${shown[c]} (AP ${averagePrecision(pos, scores).toFixed(3)})` },
          renderers: [r2],
        }),
      );
    }
    const chance = glyph(b, source(b, { x: [0, 1], y: [0, 1] }), 'Line', {
      x: { field: 'x' },
      y: { field: 'y' },
      line_color: '#999',
      line_dash: 'dashed',
    });
    const rocPlot = figure(b, {
      title: 'ROC curves (test rows, one class against the rest)',
      xLabel: 'false positive rate',
      yLabel: 'true positive rate',
      width: 460,
      height: 380,
      renderers: [chance, ...rocR],
    });
    b.set(rocPlot, {
      center: [...(b.get(rocPlot, 'center') as unknown[]), b.bk('Legend', { items, location: 'bottom_right' })],
    });
    const prPlot = figure(b, {
      title: 'Precision–recall curves (test rows)',
      xLabel: 'recall',
      yLabel: 'precision',
      width: 460,
      height: 380,
      renderers: prR,
    });
    b.set(prPlot, {
      center: [...(b.get(prPlot, 'center') as unknown[]), b.bk('Legend', { items: prItems, location: 'bottom_left' })],
    });
    blocks.push(b.bk('Row', { children: [rocPlot, prPlot] }));
    scoreFn = (o) => {
      const l = o.label ?? new Int32Array();
      let ok = 0;
      for (let i = 0; i < yTe.length; i++) if (l[i] === yTe[i]) ok++;
      return ok / yTe.length;
    };
    base = metrics.test.accuracy;
  }

  // Permutation importance on the test rows.
  const imp = await permutationImportance(onnx, m, test, scoreFn, base);
  const order = test.columns.map((c, i) => ({ f: c.name, v: imp[i] })).sort((a, c) => a.v - c.v);
  blocks.push(
    figure(b, {
      title: `Permutation importance: drop in test ${m.task === 'regression' ? 'R²' : 'accuracy'} when a feature is shuffled`,
      yFactors: order.map((o) => o.f),
      xLabel: 'score drop',
      height: Math.max(200, 40 + 26 * order.length),
      tooltips: [
        ['feature', '@f'],
        ['drop', '@v{0.0000}'],
      ],
      renderers: [
        glyph(b, source(b, { f: order.map((o) => o.f), v: order.map((o) => o.v) }), 'HBar', {
          y: { field: 'f' },
          right: { field: 'v' },
          left: 0,
          height: 0.7,
          fill_color: '#9467bd',
          line_color: null,
        }),
      ],
    }),
  );

  // Cross-validation results: a heatmap when two hyperparameters vary, bars otherwise.
  const varying = Object.entries(m.grid)
    .filter(([, v]) => v.length > 1)
    .map(([k]) => k);
  const cv = m.cvResults;
  if (varying.length === 2) {
    const [px, py] = varying;
    const xs = [...new Set(cv.map((c) => String(r4(c.params[px]))))];
    const ys = [...new Set(cv.map((c) => String(r4(c.params[py]))))];
    // Mean over any other hyperparameters, best of them shown in the hover.
    const cell = new Map<string, number>();
    for (const c of cv) {
      const key = `${r4(c.params[px])}|${r4(c.params[py])}`;
      cell.set(key, Math.max(cell.get(key) ?? -Infinity, c.mean));
    }
    const vals = [...cell.values()];
    const lo = Math.min(...vals);
    const hi = Math.max(...vals);
    const keys = [...cell.keys()];
    const src = source(b, {
      x: keys.map((k) => k.split('|')[0]),
      y: keys.map((k) => k.split('|')[1]),
      v: keys.map((k) => r4(cell.get(k) ?? NaN)),
      color: keys.map((k) => {
        const t = hi > lo ? ((cell.get(k) ?? lo) - lo) / (hi - lo) : 1;
        const c = Math.round(250 - 190 * t);
        return `rgb(${c},${Math.round(250 - 100 * t)},${Math.round(250 - 190 * t)})`;
      }),
    });
    blocks.push(
      figure(b, {
        title: `Cross-validation score by ${px} and ${py}`,
        xFactors: xs,
        yFactors: ys,
        xLabel: px,
        yLabel: py,
        height: 360,
        tooltips: [
          [px, '@x'],
          [py, '@y'],
          ['CV score', '@v'],
        ],
        renderers: [
          glyph(b, src, 'Rect', {
            x: { field: 'x' },
            y: { field: 'y' },
            width: 1,
            height: 1,
            fill_color: { field: 'color' },
            line_color: 'white',
          }),
          b.bk('GlyphRenderer', {
            data_source: src,
            glyph: b.bk('Text', {
              x: { field: 'x' },
              y: { field: 'y' },
              text: { field: 'v' },
              text_align: 'center',
              text_baseline: 'middle',
              text_font_size: '11px',
            }),
            view: b.bk('CDSView', {}),
          }),
        ],
      }),
    );
  } else {
    const labels = cv.map(
      (c) =>
        Object.entries(c.params)
          .map(([k, v]) => `${k}=${r4(v)}`)
          .join(' ') || 'defaults',
    );
    blocks.push(
      figure(b, {
        title: `Cross-validation score per candidate (mean ± std of ${FOLDS} folds)`,
        xFactors: labels,
        yLabel: 'CV score',
        height: 320,
        tooltips: [
          ['candidate', '@c'],
          ['mean', '@m{0.0000}'],
          ['std', '@s{0.0000}'],
          ['rank', '@r'],
        ],
        renderers: [
          glyph(
            b,
            source(b, {
              c: labels,
              m: cv.map((c) => c.mean),
              s: cv.map((c) => c.std),
              r: cv.map((c) => c.rank),
              lo: cv.map((c) => c.mean - c.std),
              hi: cv.map((c) => c.mean + c.std),
            }),
            'VBar',
            { x: { field: 'c' }, top: { field: 'm' }, bottom: 0, width: 0.7, fill_color: '#17becf', line_color: null },
          ),
        ],
      }),
    );
  }
  return b.item(b.bk('Column', { children: blocks, sizing_mode: 'stretch_width' }), `Results of model ${m.id}`);
}
