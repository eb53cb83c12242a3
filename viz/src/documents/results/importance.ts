// Permutation importance on the test rows: the score drop when one original column is shuffled.
import type { TrainingColumn, TrainingTable } from '@enchilada/data';
import type { ModelDetail } from '@enchilada/models';
import type { LayoutDOM } from '../../bokeh/model.js';
import { figure, glyph, source } from '../../bokeh/builders.js';
import type { OnnxModel, OnnxOutputs } from '../../scoring/onnx-model.js';
import type { ResultsContext, TaskSection } from './shared.js';

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

export async function importanceFigure({ input, b }: ResultsContext, task: TaskSection): Promise<LayoutDOM> {
  const { model: m, test, onnx } = input;
  const imp = await permutationImportance(onnx, m, test, task.score, task.base);
  const order = test.columns.map((c, i) => ({ f: c.name, v: imp[i] })).sort((a, c) => a.v - c.v);
  return figure(b, {
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
  });
}
