// The monitoring document of one published name over a time window: predictions per minute,
// latency p50/p99, the share with outcomes, live accuracy/F1 or MAE/R² beside the model's test
// score, a calibration curve (classifiers) and per-feature drift against the training rows (the
// test the sample size calls for: KS / chi-squared up to 1,000 predictions, PSI above), and the
// global importance of the explained predictions beside the training-time one
// (importance-section.ts). The figures come from services/models (monitoringFigures); this only draws.
import {
  DRIFT_P_VALUE,
  DRIFT_TEST_MAX_ROWS,
  PSI_THRESHOLD,
  type ModelDetail,
  type MonitoringFigures,
} from '@enchilada/models';
import { labelled } from '@enchilada/data';
import { DocumentBuilder, type EmbedItem, type LayoutDOM } from '../bokeh/model.js';
import { calibrationPlot, count, div, esc, figure, glyph, source } from '../bokeh/builders.js';
import { challengerBlocks, type ChallengerFigures } from './challenger-section.js';
import { importanceBlocks, type ImportanceSection } from './importance-section.js';

export interface MonitoringInput {
  readonly name: string;
  readonly version: number;
  readonly model: ModelDetail;
  readonly hours: number;
  readonly now: Date;
  readonly figures: MonitoringFigures;
  /** Why drift could not be computed (the training rows are gone), or null. */
  readonly driftNote: string | null;
  /** The name's challenger compared with the champion on the same outcomes, or absent. */
  readonly challenger?: ChallengerFigures | null;
  /** Live importance of the explained predictions beside the training-time one, or absent. */
  readonly importance?: ImportanceSection | null;
}

const fmt = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : '—');

export function monitoringDocument(i: MonitoringInput): EmbedItem {
  const b = new DocumentBuilder();
  const f = i.figures;
  const m = i.model;
  const liveText =
    f.live === null
      ? 'no outcomes yet'
      : 'accuracy' in f.live
        ? `accuracy <b data-testid="live-accuracy">${fmt(f.live.accuracy)}</b> · macro F1 ${fmt(f.live.f1Macro)}`
        : `MAE <b data-testid="live-mae">${fmt(f.live.mae)}</b> · R² ${fmt(f.live.r2)}`;
  const summary = div(
    b,
    `<h2 class="h5">${esc(i.name)} <span class="badge text-bg-success">version ${i.version}</span> model #${m.id}, last ${i.hours} h</h2>
<p data-testid="monitoring-summary"><b data-testid="prediction-count">${count(f.count)}</b> predictions · ${count(f.withOutcome)} with outcomes (${fmt(f.outcomeShare * 100, 1)} %) ·
latency p50 ${fmt(f.latency.p50Ms, 2)} ms, p99 ${fmt(f.latency.p99Ms, 2)} ms<br>
${f.rowsRead < f.count ? `<span data-testid="rows-read">Latency, live figures, calibration and drift are from the newest ${count(f.rowsRead)} of the ${count(f.count)} predictions.</span><br>` : ''}
live: ${liveText} · test score of the model: ${fmt(m.testScore)} (${m.task === 'classification' ? 'accuracy' : 'R²'})</p>`,
  );
  const blocks: LayoutDOM[] = [summary];
  if (i.challenger) blocks.push(...challengerBlocks(b, i.challenger, m.id));
  if (f.count === 0) {
    blocks.push(
      div(b, '<p class="text-body-secondary" data-testid="monitoring-empty">No predictions in this window yet.</p>'),
    );
    return b.item(b.bk('Column', { children: blocks, sizing_mode: 'stretch_width' }), `Monitoring ${i.name}`);
  }
  // Bucket middles relative to now (negative = in the past), in minutes for the last hour and in
  // hours for longer windows: the builders draw linear axes. The axis spans the whole window, so a
  // quiet stretch shows as one.
  const w = f.bucketMinutes;
  const per = w === 1 ? 'minute' : `${w} minutes`;
  const unit = i.hours > 1 ? 60 : 1;
  const axis = unit === 1 ? 'minutes from now' : 'hours from now';
  const mid = (d: Date) => Math.round((((d.getTime() - i.now.getTime()) / 60_000 + w / 2) / unit) * 100) / 100;
  // Up to one bucket past now, so the bucket now being filled shows whole.
  const span = { xStart: (-i.hours * 60) / unit, xEnd: w / unit };
  const traffic = source(b, {
    t: f.buckets.map((p) => mid(p.start)),
    count: f.buckets.map((p) => p.count),
    outcomes: f.buckets.map((p) => p.withOutcome),
  });
  blocks.push(
    figure(b, {
      title: `Predictions per ${per}`,
      xLabel: axis,
      yLabel: 'predictions',
      height: 260,
      ...span,
      tooltips: [
        [axis, '@t'],
        ['predictions', '@count'],
        ['with outcome', '@outcomes'],
      ],
      renderers: [
        glyph(b, traffic, 'VBar', {
          x: { field: 't' },
          top: { field: 'count' },
          width: (0.8 * w) / unit,
          fill_color: '#1f77b4',
          line_color: null,
        }),
      ],
    }),
  );
  // Latency of the buckets whose rows were read; markers, so that a single bucket shows too.
  const timed = f.buckets.filter((p) => Number.isFinite(p.p50Ms));
  const latency = source(b, {
    t: timed.map((p) => mid(p.start)),
    p50: timed.map((p) => p.p50Ms),
    p99: timed.map((p) => p.p99Ms),
  });
  blocks.push(
    figure(b, {
      title: `Latency per ${per} (p50 blue, p99 orange)`,
      xLabel: axis,
      yLabel: 'ms',
      height: 260,
      ...span,
      tooltips: [
        [axis, '@t'],
        ['p50 ms', '@p50'],
        ['p99 ms', '@p99'],
      ],
      renderers: [
        glyph(b, latency, 'Line', { x: { field: 't' }, y: { field: 'p50' }, line_color: '#1f77b4', line_width: 2 }),
        glyph(b, latency, 'Scatter', {
          x: { field: 't' },
          y: { field: 'p50' },
          size: 6,
          fill_color: '#1f77b4',
          line_color: null,
        }),
        glyph(b, latency, 'Line', { x: { field: 't' }, y: { field: 'p99' }, line_color: '#ff7f0e', line_width: 2 }),
        glyph(b, latency, 'Scatter', {
          x: { field: 't' },
          y: { field: 'p99' },
          size: 6,
          fill_color: '#ff7f0e',
          line_color: null,
        }),
      ],
    }),
  );
  if (f.calibration && f.calibration.bins.length) {
    const title =
      f.calibration.kind === 'positive-class'
        ? `Calibration: P(${esc(labelled(m.classLabels, f.calibration.positive ?? ''))}) vs share of outcomes ${esc(labelled(m.classLabels, f.calibration.positive ?? ''))}`
        : 'Calibration (top label): P(predicted class) vs share right';
    blocks.push(calibrationPlot(b, title, [{ bins: f.calibration.bins, color: '#2ca02c' }]));
  }
  if (i.driftNote) blocks.push(div(b, `<p class="text-body-secondary">Drift: ${esc(i.driftNote)}</p>`));
  else blocks.push(...driftBlocks(b, f));
  if (i.importance) blocks.push(...importanceBlocks(b, i.importance, m.id));
  return b.item(b.bk('Column', { children: blocks, sizing_mode: 'stretch_width' }), `Monitoring ${i.name}`);
}

/** −log10 of p = 0 (a category never seen in training): drawn at this height. */
const MAX_LOG_P = 16;

/**
 * Drift: "not enough predictions yet" below the minimum; else the share of drifting features and,
 * per feature, −log10 p of its test (KS or chi-squared, up to 1,000 predictions) or its PSI (above).
 */
function driftBlocks(b: DocumentBuilder, f: MonitoringFigures): LayoutDOM[] {
  const c = f.driftCheck;
  if (!c.enough) {
    return [
      div(
        b,
        `<p class="text-body-secondary" data-testid="drift-not-enough">Drift: not enough predictions yet — ${count(c.rows)} of the ${count(c.minRows)} needed
before drift is tested (with fewer, any sample looks shifted).</p>`,
      ),
    ];
  }
  const tested = c.features.filter((d) => d.method !== null);
  if (!tested.length)
    return [div(b, '<p class="text-body-secondary">Drift: no feature has training values to compare with.</p>')];
  const byPsi = tested.every((d) => d.method === 'psi');
  const how = byPsi
    ? `population stability index above ${PSI_THRESHOLD} (more than ${count(DRIFT_TEST_MAX_ROWS)} predictions)`
    : `Kolmogorov–Smirnov (numbers) and chi-squared (text) tests, p &lt; ${DRIFT_P_VALUE}, on ${count(c.rows)} predictions`;
  const blocks: LayoutDOM[] = [
    div(
      b,
      `<p data-testid="drift-share"><b>Drift: ${c.drifting} of ${c.decided} features (${(c.share * 100).toFixed(1)} %) drifting</b>
· ${how}</p>`,
    ),
  ];
  const score = (d: (typeof tested)[number]) =>
    d.method === 'psi' ? d.statistic : Math.min(MAX_LOG_P, -Math.log10(Math.max(d.pValue ?? 1, 10 ** -MAX_LOG_P)));
  const rows = [...tested].sort((a, z) => score(a) - score(z));
  const names = rows.map((d) => d.feature);
  const line = byPsi ? PSI_THRESHOLD : -Math.log10(DRIFT_P_VALUE);
  const data = source(b, {
    feature: names,
    kind: rows.map((d) => (d.kind === 'categorical' ? 'text' : 'numeric')),
    score: rows.map(score),
    test: rows.map((d) => (d.method === 'ks' ? 'Kolmogorov–Smirnov' : d.method === 'chi2' ? 'chi-squared' : 'PSI')),
    p: rows.map((d) => (d.pValue === null ? '—' : d.pValue.toPrecision(3))),
    color: rows.map((d) => (d.drifted ? '#d62728' : '#1f77b4')),
  });
  const threshold = source(b, { x0: [line], x1: [line], y0: [names[0] ?? ''], y1: [names[names.length - 1] ?? ''] });
  const title = byPsi
    ? `Drift against the training rows: population stability index (red: above ${PSI_THRESHOLD}, the dashed line)`
    : `Drift against the training rows: −log10 p of each feature's test (red: p < ${DRIFT_P_VALUE}, right of the dashed line)`;
  blocks.push(
    figure(b, {
      title,
      xLabel: byPsi ? 'PSI' : '−log10 p-value',
      xStart: 0,
      yFactors: names,
      height: Math.max(220, 40 + 22 * names.length),
      tooltips: [
        ['feature', '@feature (@kind)'],
        ['test', '@test'],
        ['p-value', '@p'],
        [byPsi ? 'PSI' : '−log10 p', '@score'],
      ],
      renderers: [
        glyph(b, data, 'HBar', {
          y: { field: 'feature' },
          right: { field: 'score' },
          left: 0,
          height: 0.7,
          fill_color: { field: 'color' },
          line_color: null,
        }),
        glyph(b, threshold, 'Segment', {
          x0: { field: 'x0' },
          x1: { field: 'x1' },
          y0: { field: 'y0' },
          y1: { field: 'y1' },
          line_color: '#d62728',
          line_dash: 'dashed',
          line_width: 2,
        }),
      ],
    }),
  );
  if (tested.some((d) => d.kind === 'categorical')) {
    blocks.push(
      div(
        b,
        '<p class="small text-body-secondary" data-testid="drift-note">Text features: each training category, plus values never seen in training and missing values as buckets of their own (an unseen value is drift at once).</p>',
      ),
    );
  }
  return blocks;
}
