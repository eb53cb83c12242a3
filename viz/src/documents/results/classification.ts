// The results of a classifier: classification reports, confusion matrices (counts or normalised),
// and one-vs-rest ROC and precision-recall curves on the test rows.
import { auc, averagePrecision, precisionRecallCurve, rocCurve } from '@enchilada/ml';
import { labelled, type TrainingTable } from '@enchilada/data';
import type { LayoutDOM } from '../../bokeh/model.js';
import { PALETTE, dataTable, div, figure, glyph, source } from '../../bokeh/builders.js';
import type { OnnxOutputs } from '../../scoring/onnx-model.js';
import type { ClassificationMetrics } from '../../training/metrics.js';
import { r4, type ResultsContext, type TaskSection } from './shared.js';

export function classificationSection({ input, b, oTest }: ResultsContext): TaskSection {
  const { model: m, test } = input;
  const blocks: LayoutDOM[] = [];
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
  const score = (o: OnnxOutputs): number => {
    const l = o.label ?? new Int32Array();
    let ok = 0;
    for (let i = 0; i < yTe.length; i++) if (l[i] === yTe[i]) ok++;
    return ok / yTe.length;
  };
  return { blocks, score, base: metrics.test.accuracy };
}
