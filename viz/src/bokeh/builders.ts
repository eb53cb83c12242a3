// Small typed builders for what bokeh.plotting's figure() would add: ranges, axes, grids, tools.
import type { AttrsOf, DocumentBuilder, InstanceOf } from './model.js';

export type Source = InstanceOf<'ColumnDataSource'>;
export type Plot = InstanceOf<'Plot'>;

// Built once when the module loads: the first Intl formatter of a process costs ~25 ms (ICU data),
// which would otherwise land on the first document a user asks for.
const COUNT = new Intl.NumberFormat('en-US');
/** A whole number with thousands separators (1,000,000). */
export const count = (n: number): string => COUNT.format(n);

/**
 * Whole numbers all below this in magnitude (years, codes, ids) are written without thousands
 * separators, 2007 rather than 2,007; larger or fractional measures keep them (12,345.5).
 */
export const PLAIN_BELOW = 10_000;

/** Whether every finite value is whole and below PLAIN_BELOW in magnitude (missing values do not count). */
export function plainNumbers(values: Iterable<number | null | undefined>): boolean {
  for (const v of values) {
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    if (!Number.isInteger(v) || Math.abs(v) >= PLAIN_BELOW) return false;
  }
  return true;
}

// As a table's NumberFormatter writes numbers (numbro's '0,0.[000]' / '0.[000]'): up to three decimals.
const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });
const PLAIN = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3, useGrouping: false });

/** A table cell's text for a number, as the numeric columns write it; '-' when missing. */
export function tableNumber(v: number | null, plain: boolean): string {
  if (v === null || Number.isNaN(v)) return '-';
  return (plain ? PLAIN : GROUPED).format(v);
}

export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

export interface FigureOptions {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly xFactors?: readonly string[];
  readonly yFactors?: readonly string[];
  readonly height?: number;
  readonly width?: number;
  /** Start the numeric x axis at this value (bars grow from zero). */
  readonly xStart?: number;
  /** End the numeric x axis at this value. */
  readonly xEnd?: number;
  readonly tooltips?: readonly (readonly [string, string])[];
  readonly renderers?: readonly Renderer[];
  /** False hides the plot's own toolbar (plots in a grid share the grid's). */
  readonly toolbar?: boolean;
}

export function source(b: DocumentBuilder, data: Record<string, unknown[] | ArrayLike<number>>): Source {
  return b.bk('ColumnDataSource', { data: data as never });
}

export function figure(b: DocumentBuilder, o: FigureOptions): Plot {
  const range = (factors?: readonly string[], start?: number, end?: number) =>
    factors
      ? b.bk('FactorRange', { factors: [...factors] })
      : b.bk('DataRange1d', { ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }) });
  const scale = (factors?: readonly string[]) => (factors ? b.bk('CategoricalScale', {}) : b.bk('LinearScale', {}));
  const axis = (label: string | undefined, factors?: readonly string[]) =>
    factors
      ? b.bk('CategoricalAxis', {
          axis_label: label ?? null,
          ticker: b.bk('CategoricalTicker', {}),
          formatter: b.bk('CategoricalTickFormatter', {}),
        })
      : b.bk('LinearAxis', {
          axis_label: label ?? null,
          ticker: b.bk('BasicTicker', {}),
          formatter: b.bk('BasicTickFormatter', {}),
        });
  const xAxis = axis(o.xLabel, o.xFactors);
  const yAxis = axis(o.yLabel, o.yFactors);
  const tools = [
    b.bk('PanTool', {}),
    b.bk('WheelZoomTool', {}),
    b.bk('BoxZoomTool', {}),
    b.bk('ResetTool', {}),
    b.bk('SaveTool', {}),
  ];
  const hover = o.tooltips
    ? [b.bk('HoverTool', { tooltips: o.tooltips.map(([k, v]) => [k, v] as [string, string]) })]
    : [];
  return b.bk('Plot', {
    title: b.bk('Title', { text: o.title ?? '' }),
    x_range: range(o.xFactors, o.xStart, o.xEnd),
    y_range: range(o.yFactors),
    x_scale: scale(o.xFactors),
    y_scale: scale(o.yFactors),
    below: [xAxis],
    left: [yAxis],
    center: [b.bk('Grid', { dimension: 0, axis: xAxis }), b.bk('Grid', { dimension: 1, axis: yAxis })],
    toolbar: b.bk('Toolbar', { tools: [...tools, ...hover] }),
    height: o.height ?? 400,
    width: o.width ?? 600,
    sizing_mode: o.width ? 'fixed' : 'stretch_width',
    renderers: [...(o.renderers ?? [])],
    ...(o.toolbar === false ? { toolbar_location: null } : {}),
  });
}

type GlyphName =
  'HBar' | 'VBar' | 'Scatter' | 'Line' | 'Quad' | 'Segment' | 'Wedge' | 'Rect' | 'AnnularWedge' | 'Whisker';
export type Renderer = InstanceOf<'GlyphRenderer'>;

/** A glyph renderer drawing `type` over `data`. */
export function glyph<K extends GlyphName>(
  b: DocumentBuilder,
  data: Source,
  type: K,
  attrs: AttrsOf<K>,
  extra: AttrsOf<'GlyphRenderer'> = {},
): Renderer {
  return b.bk('GlyphRenderer', {
    data_source: data,
    glyph: b.bk(type, attrs) as never,
    view: b.bk('CDSView', {}),
    ...extra,
  });
}

/** One model's calibration curve: per probability bin, the mean predicted probability and the observed share. */
export interface CalibrationCurve {
  readonly bins: readonly { readonly meanPredicted: number; readonly observed: number; readonly count: number }[];
  readonly color: string;
  /** The markers' shape (default: circles), to tell two curves apart without colour. */
  readonly marker?: AttrsOf<'Scatter'>['marker'];
}

/**
 * A calibration chart: the dashed diagonal of perfect calibration and each curve as a line with
 * markers, the mean predicted probability per decile against the observed share.
 */
export function calibrationPlot(b: DocumentBuilder, title: string, curves: readonly CalibrationCurve[]): Plot {
  // Every curve's data first, then the glyphs: the order the documents' model ids have always had.
  const drawn = curves.map((c) => ({
    c,
    data: source(b, {
      p: c.bins.map((x) => x.meanPredicted),
      o: c.bins.map((x) => x.observed),
      n: c.bins.map((x) => x.count),
    }),
  }));
  return figure(b, {
    title,
    xLabel: 'mean predicted probability (per decile)',
    yLabel: 'observed share',
    height: 340,
    width: 560,
    tooltips: [
      ['predicted', '@p'],
      ['observed', '@o'],
      ['n', '@n'],
    ],
    renderers: [
      glyph(b, source(b, { x: [0, 1], y: [0, 1] }), 'Line', {
        x: { field: 'x' },
        y: { field: 'y' },
        line_color: '#999',
        line_dash: 'dashed',
      }),
      ...drawn.flatMap(({ c, data }) => [
        glyph(b, data, 'Line', { x: { field: 'p' }, y: { field: 'o' }, line_color: c.color, line_width: 2 }),
        glyph(b, data, 'Scatter', {
          x: { field: 'p' },
          y: { field: 'o' },
          size: 7,
          ...(c.marker === undefined ? {} : { marker: c.marker }),
          fill_color: c.color,
          line_color: null,
        }),
      ]),
    ],
  });
}

export interface TableColumnSpec {
  readonly field: string;
  readonly title: string;
  readonly numeric?: boolean;
  /** The widest content expected, in characters (default: 9, a formatted number). */
  readonly chars?: number;
  /** Numbers without thousands separators (see plainNumbers). */
  readonly plain?: boolean;
  /**
   * The source column holding each cell's text, when cells of one column are written differently
   * (rows of a statistics table, one per feature); `field` still orders the rows when sorted.
   */
  readonly text?: string;
}

/** Wider than this (px, all columns at their natural width), a table scrolls sideways instead of squeezing its columns. */
const TABLE_FIT_PX = 960;

export function dataTable(b: DocumentBuilder, data: Source, columns: readonly TableColumnSpec[], height = 300) {
  // Natural widths from the titles and the expected content (~7 px a character at the table's font).
  const widths = columns.map((c) => Math.min(420, Math.max(56, 7 * Math.max(c.title.length, c.chars ?? 9) + 18)));
  const wide = widths.reduce((a, w) => a + w, 0) > TABLE_FIT_PX;
  return b.bk('DataTable', {
    source: data,
    columns: columns.map((c, i) =>
      b.bk('TableColumn', {
        field: c.field,
        title: c.title,
        width: widths[i],
        formatter: formatter(b, c),
      }),
    ),
    // Few columns share the width in proportion; many keep their widths and scroll.
    autosize_mode: wide ? 'none' : 'force_fit',
    height,
    sizing_mode: 'stretch_width',
    index_position: null,
  });
}

function formatter(b: DocumentBuilder, c: TableColumnSpec) {
  // `<%- %>` escapes the text; the field name is the code's, never a user's.
  if (c.text !== undefined) return b.bk('HTMLTemplateFormatter', { template: `<%- ${c.text} %>` });
  if (c.numeric) return b.bk('NumberFormatter', { format: c.plain ? '0.[000]' : '0,0.[000]' });
  return b.bk('StringFormatter', {});
}

export function div(b: DocumentBuilder, html: string, cssClasses: string[] = []) {
  return b.bk('Div', { text: html, css_classes: cssClasses, sizing_mode: 'stretch_width' });
}

/** Escapes text for a Div's HTML. */
export function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
