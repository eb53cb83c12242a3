// The live-importance part of the monitoring document (issue 18): the mean |contribution| per
// original column over the window's predictions asked with "explain": true (services/models'
// liveImportance, the newest 5,000 at most), beside the training-time importance of the model's
// explainer over the Explain page's test sample (explain/training-importance.ts). A column whose
// live bar outgrows its training bar weighs more in today's predictions than in the test rows'.
// When no prediction in the window carries contributions, the page says how to get them.
import type { LiveImportance } from '@enchilada/models';
import type { DocumentBuilder, LayoutDOM } from '../bokeh/model.js';
import { count, dataTable, div, esc, figure, glyph, source } from '../bokeh/builders.js';
import type { TrainingImportance } from '../explain/training-importance.js';

export interface ImportanceSection {
  readonly live: LiveImportance;
  /** The training-time importance, why there is none, or null (not computed: nothing live to set it beside). */
  readonly training: TrainingImportance | string | null;
  /** Whether the model has an explainer (serve explains its predictions only then). */
  readonly explainable: boolean;
}

const TRAINING = '#9aa5b1';
const LIVE = '#ff7f0e';
const UNITS: Record<string, string> = {
  probability: 'probability',
  'log-odds': 'log-odds',
  logit: 'softmax logit',
  decision: 'decision value',
  target: 'target units',
};

export function importanceBlocks(b: DocumentBuilder, s: ImportanceSection, modelId: number): LayoutDOM[] {
  const head = '<h3 class="h6 mt-3">Global importance: live and at training time</h3>';
  const live = s.live;
  if (live.rows === 0) {
    const how = s.explainable
      ? `No prediction of model #${modelId} in this window was asked for its explanation, so there is no live importance yet:
call the API with <code>"explain": true</code> (<code>POST /v1/models/{name}/predict</code>) and each prediction's contributions are
logged with it; their mean |contribution| per column then shows here beside the training-time one.`
      : `Model #${modelId} has no explainer (it was trained before explanations existed), so its predictions cannot be explained:
retrain it and publish the new model, then call the API with <code>"explain": true</code> to see live importance here.`;
    return [
      div(
        b,
        `<div data-testid="importance-section">${head}<p class="text-body-secondary" data-testid="importance-none">${how}</p></div>`,
      ),
    ];
  }
  const training = typeof s.training === 'object' ? s.training : null;
  const units = live.units ?? training?.units ?? '';
  const unitText = UNITS[units] ?? units;
  const byColumn = new Map<string, { training: number; live: number }>();
  for (const c of training?.columns ?? []) byColumn.set(c.column, { training: c.meanAbs, live: NaN });
  for (const c of live.columns)
    byColumn.set(c.column, { training: byColumn.get(c.column)?.training ?? NaN, live: c.meanAbs });
  // largest on top, by the training-time figure when there is one (the reference), else the live one
  const key = (v: { training: number; live: number }) =>
    training ? (Number.isFinite(v.training) ? v.training : -1) : v.live;
  const order = [...byColumn.entries()].sort((a, z) => key(a[1]) - key(z[1]));
  const names = order.map(([n]) => n);
  const readText =
    live.rows >= live.limit
      ? `the newest ${count(live.rows)} explained predictions in this window (at most ${count(live.limit)} are read)`
      : `the ${count(live.rows)} explained prediction${live.rows === 1 ? '' : 's'} in this window`;
  const trainingText = training
    ? `the training-time figure over ${count(training.rows)} of the model's ${count(training.testRows)} test rows (the Explain page's sample)`
    : `no training-time figure: ${esc(typeof s.training === 'string' ? s.training : 'not computed')}`;
  const mismatch =
    training && live.units !== null && live.units !== training.units
      ? ` <b>The logged contributions are in ${esc(live.units)}, the explainer's in ${esc(training.units)}: they do not compare.</b>`
      : '';
  const blocks: LayoutDOM[] = [
    div(
      b,
      `<div data-testid="importance-section">${head}<p data-testid="importance-summary">Mean |contribution| per column
(to each prediction's predicted class, in ${esc(unitText)}) over <b data-testid="importance-rows">${readText}</b>, beside ${trainingText}.${mismatch}</p></div>`,
    ),
  ];
  const data = source(b, {
    column: names,
    training: order.map(([, v]) => v.training),
    live: order.map(([, v]) => v.live),
    ty: names.map((n) => [n, -0.2]),
    ly: names.map((n) => [n, 0.2]),
  });
  blocks.push(
    figure(b, {
      title: `Global importance: training-time (grey${training ? `, ${count(training.rows)} test rows` : ''}) and live (orange, ${count(live.rows)} explained predictions)`,
      xStart: 0,
      xLabel: `mean |contribution| (${unitText})`,
      yFactors: names,
      height: Math.max(200, 50 + 34 * names.length),
      tooltips: [
        ['column', '@column'],
        ['training-time', '@training{0.0000}'],
        ['live', '@live{0.0000}'],
      ],
      renderers: [
        ...(training
          ? [
              glyph(b, data, 'HBar', {
                y: { field: 'ty' },
                right: { field: 'training' },
                left: 0,
                height: 0.36,
                fill_color: TRAINING,
                line_color: null,
              }),
            ]
          : []),
        glyph(b, data, 'HBar', {
          y: { field: 'ly' },
          right: { field: 'live' },
          left: 0,
          height: 0.36,
          fill_color: LIVE,
          line_color: null,
        }),
      ],
    }),
  );
  const rows = [...order].reverse();
  const table = source(b, {
    column: rows.map(([n]) => n),
    training: rows.map(([, v]) => (Number.isFinite(v.training) ? v.training.toFixed(4) : '—')),
    live: rows.map(([, v]) => (Number.isFinite(v.live) ? v.live.toFixed(4) : '—')),
  });
  blocks.push(
    dataTable(
      b,
      table,
      [
        { field: 'column', title: 'column', chars: Math.min(40, Math.max(8, ...names.map((n) => n.length))) },
        // text, not NumberFormatter's: a column the other side lacks shows as a dash
        { field: 'training', title: 'training-time' },
        { field: 'live', title: 'live' },
      ],
      Math.min(400, 40 + 28 * rows.length),
    ),
  );
  return blocks;
}
