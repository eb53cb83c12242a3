// The results of a regressor: train and test metrics, the residual histogram, residuals and truth
// against predictions, switched between test and training rows.
import type { LayoutDOM } from '../../bokeh/model.js';
import { dataTable, figure, glyph, source } from '../../bokeh/builders.js';
import type { OnnxOutputs } from '../../scoring/onnx-model.js';
import type { RegressionMetrics } from '../../training/metrics.js';
import { histogram } from '../eda-analysis.js';
import { r4, type ResultsContext, type TaskSection } from './shared.js';

export function regressionSection({ input, b, oTrain, oTest }: ResultsContext): TaskSection {
  const { model: m, train, test } = input;
  const blocks: LayoutDOM[] = [];
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
  const score = (o: OnnxOutputs): number => {
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
  return { blocks, score, base: metrics.test.r2 };
}
