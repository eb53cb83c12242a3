// Pieces the tabs of the exploratory-analysis document share.
import type { Dataset } from '@enchilada/data';
import type { DocumentBuilder, LayoutDOM } from '../../bokeh/model.js';
import { count, div, esc, figure, glyph, source, type Plot } from '../../bokeh/builders.js';
import { MISSING, type categoryCounts } from '../eda-analysis.js';

export const VIRIDIS = [
  '#440154',
  '#482878',
  '#3e4989',
  '#31688e',
  '#26828e',
  '#1f9e89',
  '#35b779',
  '#6ece58',
  '#b5de2b',
  '#fde725',
];

/** A number for a table cell or hover: four decimals, or exponent notation when very large or small. */
export const fmt = (v: number | null | undefined) =>
  v === null || v === undefined || Number.isNaN(v)
    ? ''
    : Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0)
      ? v.toExponential(3)
      : String(Math.round(v * 1e4) / 1e4);

/** A point plot's x or y: the column, jittered across its band when the axis is a text column's. */
export const axisSpec = (f: string, jitter: unknown) => (jitter ? { field: f, transform: jitter } : { field: f });

/** Horizontal bars of a text column's value counts, stacked by class when `color` is given. */
export function countBars(
  b: DocumentBuilder,
  name: string,
  cc: ReturnType<typeof categoryCounts>,
  color: ((k: number) => string) | null,
): Plot {
  const seg = {
    value: [] as string[],
    cls: [] as string[],
    left: [] as number[],
    right: [] as number[],
    count: [] as number[],
    color: [] as string[],
  };
  cc.values.forEach((v, vi) => {
    let left = 0;
    cc.groups.forEach((g, gi) => {
      const c = cc.counts[gi][vi];
      if (c === 0) return;
      seg.value.push(v);
      seg.cls.push(g);
      seg.left.push(left);
      seg.right.push(left + c);
      seg.count.push(c);
      seg.color.push(color ? (g === MISSING ? '#999999' : color(gi)) : '#1f77b4');
      left += c;
    });
  });
  const tooltips: [string, string][] = [
    ['value', '@value'],
    ...(color ? [['class', '@cls'] as [string, string]] : []),
    ['rows', '@count'],
  ];
  return figure(b, {
    // The most frequent value on top: a FactorRange lists its factors upwards.
    title: `${name}: rows per value${color ? ' and class' : ''}`,
    yFactors: [...cc.values].reverse(),
    xLabel: 'rows',
    xStart: 0,
    width: 460,
    height: Math.max(200, 70 + 24 * cc.values.length),
    tooltips,
    renderers: [
      glyph(b, source(b, seg), 'HBar', {
        y: { field: 'value' },
        left: { field: 'left' },
        right: { field: 'right' },
        height: 0.7,
        fill_color: { field: 'color' },
        line_color: 'white',
      }),
    ],
  });
}

/**
 * Count, missing, distinct and the most frequent values of every text column, from the statistics
 * the database computed over all rows (what the dataset page shows). An HTML table, not a
 * DataTable: its "most frequent" cell holds a list that a grid cell would cut off.
 */
export function textStatsTable(b: DocumentBuilder, ds: Dataset): LayoutDOM {
  const rows = (ds.stats?.categorical ?? [])
    .map((s) => {
      const top = s.top
        .slice(0, 5)
        .map(
          (t) =>
            `<span class="text-nowrap">${esc(t.value)} <span class="text-body-secondary">(${count(t.count)})</span></span>`,
        )
        .join(' · ');
      const more = s.distinct > Math.min(5, s.top.length) ? ' · …' : '';
      const id = s.identifierLike ? ' <span class="badge text-bg-warning">identifier-like</span>' : '';
      return (
        `<tr data-column="${esc(s.name)}"><td><code>${esc(s.name)}</code>${id}</td><td class="text-end">${count(s.count)}</td><td class="text-end">${count(s.missing)}</td>` +
        `<td class="text-end">${count(s.distinct)}</td><td class="small">${top}${more}</td></tr>`
      );
    })
    .join('');
  return div(
    b,
    `<p class="small text-body-secondary mb-1">Text columns over all ${count(ds.rowCount)} rows, computed by the database:</p>` +
      '<table class="table table-sm small mb-2" data-testid="eda-text-stats"><thead><tr><th>column</th><th class="text-end">count</th><th class="text-end">missing</th>' +
      `<th class="text-end">distinct</th><th>most frequent values</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

/** The share of missing values of every column, from the statistics the database computed. */
export function missingChart(b: DocumentBuilder, ds: Dataset): Plot {
  const stats = ds.stats;
  const all = stats ? [...stats.numeric, ...stats.categorical, ...stats.dates] : [];
  const missing = new Map(all.map((s) => [s.name, s.missing]));
  const rows = stats?.rows ?? ds.rowCount;
  const cols = ds.columns.filter((c) => missing.has(c.name));
  const n = cols.map((c) => missing.get(c.name) ?? 0);
  const pct = n.map((m) => (rows > 0 ? (100 * m) / rows : 0));
  const src = source(b, {
    column: cols.map((c) => c.name),
    kind: cols.map((c) => c.type),
    missing: n,
    pct,
    label: pct.map((p, i) => `${count(n[i])} (${p.toFixed(1)}%)`),
    color: n.map((m) => (m > 0 ? '#d62728' : '#cccccc')),
  });
  return figure(b, {
    title: `Missing values per column (all ${count(rows)} rows, counted by the database)`,
    yFactors: cols.map((c) => c.name).reverse(),
    xLabel: 'rows missing (%)',
    xStart: 0,
    xEnd: Math.min(100, Math.max(5, 1.15 * Math.max(0, ...pct))),
    height: Math.max(200, 70 + 24 * cols.length),
    tooltips: [
      ['column', '@column (@kind)'],
      ['missing', '@label'],
    ],
    renderers: [
      glyph(b, src, 'HBar', {
        y: { field: 'column' },
        left: 0,
        right: { field: 'pct' },
        height: 0.7,
        fill_color: { field: 'color' },
        line_color: null,
      }),
    ],
  });
}

/** Attaches a CustomJS callback to a Select's value changes. */
export function pickJs(b: DocumentBuilder, select: object, args: Record<string, unknown>, code: string): void {
  b.set(select, { js_property_callbacks: { 'change:value': [b.bk('CustomJS', { args: args, code })] } });
}

/** A pie needs no axes or grid: drop them, keep the legend. */
export function hideAxes(plot: Plot, b: DocumentBuilder, right: unknown[]): void {
  b.set(plot, {
    below: [],
    left: [],
    center: [],
    right,
    x_range: b.bk('Range1d', { start: -1, end: 1 }),
    y_range: b.bk('Range1d', { start: -1, end: 1 }),
    match_aspect: true,
    outline_line_color: null,
  });
}
