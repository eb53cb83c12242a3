// Tab 1 of the exploratory-analysis document: the classes, a feature's box plot per class (or every
// feature's, standardised, for regression), text columns' value counts, missing values, statistics and rows.
import { isNumeric } from '@enchilada/data';
import type { DocumentBuilder, LayoutDOM } from '../../bokeh/model.js';
import {
  count,
  dataTable,
  div,
  esc,
  figure,
  glyph,
  plainNumbers,
  source,
  tableNumber,
  type Plot,
  type Renderer,
  type Source,
} from '../../bokeh/builders.js';
import { boxStats, categoryCounts } from '../eda-analysis.js';
import { countBars, fmt, hideAxes, missingChart, pickJs, textStatsTable } from './parts.js';
import type { EdaContext } from './context.js';

export function summaryTab(ctx: EdaContext): LayoutDOM[] {
  const {
    b,
    ds,
    sample,
    n,
    label,
    features,
    textColumns,
    classification,
    target,
    classes,
    classCodes,
    colorOf,
    data,
    sampleNote,
    note,
    swatches,
  } = ctx;
  const summary: LayoutDOM[] = [];
  let donut: Plot | null = null;
  if (classification && ds.stats?.classCounts) {
    const counts = ds.stats.classCounts;
    const total = counts.reduce((s, c) => s + c.count, 0) || 1;
    let angle = 0;
    const start: number[] = [];
    const end: number[] = [];
    for (const c of counts) {
      start.push(angle);
      angle += (2 * Math.PI * c.count) / total;
      end.push(angle);
    }
    const pie = source(b, {
      cls: counts.map((c) => c.value),
      count: counts.map((c) => c.count),
      pct: counts.map((c) => `${((100 * c.count) / total).toFixed(1)}%`),
      start,
      end,
      color: counts.map((c) => colorOf(Math.max(0, classes.indexOf(c.value)))),
    });
    const wedges = glyph(b, pie, 'AnnularWedge', {
      x: 0,
      y: 0,
      inner_radius: 0.45,
      outer_radius: 0.9,
      start_angle: { field: 'start' },
      end_angle: { field: 'end' },
      fill_color: { field: 'color' },
      line_color: 'white',
    });
    donut = figure(b, {
      title: `Classes of ${target} (all ${count(total)} rows)`,
      width: 420,
      height: 360,
      tooltips: [
        ['class', '@cls'],
        ['rows', '@count'],
        ['share', '@pct'],
      ],
      renderers: [wedges],
    });
    const legendItems = counts.map((c, i) =>
      b.bk('LegendItem', { label: { value: c.value }, renderers: [wedges], index: i }),
    );
    hideAxes(donut, b, [b.bk('Legend', { items: legendItems, location: 'center' })]);
  }
  if (classification && donut && features.length === 0) summary.push(donut);
  else if (classification && donut && classCodes) {
    // Box plot of one feature by class, switched by a dropdown.
    const codes = classCodes;
    const all: Record<string, Record<string, unknown[]>> = {};
    const outliers: Record<string, Record<string, unknown[]>> = {};
    for (const f of features) {
      const values = data[f] as Float64Array;
      const per = classes.map((_, k) => boxStats(values.filter((_v, i) => codes[i] === k)));
      all[f] = {
        cls: classes,
        q1: per.map((p) => p.q1),
        q2: per.map((p) => p.q2),
        q3: per.map((p) => p.q3),
        lo: per.map((p) => p.lo),
        hi: per.map((p) => p.hi),
        color: classes.map((_, k) => colorOf(k)),
      };
      outliers[f] = { cls: per.flatMap((p, k) => p.outliers.map(() => classes[k])), v: per.flatMap((p) => p.outliers) };
    }
    const first = features[0];
    const box = source(b, all[first]);
    const out = source(b, outliers[first]);
    const boxPlot = figure(b, {
      title: `${first} by class`,
      xFactors: classes,
      yLabel: label(first),
      height: 360,
      tooltips: [
        ['class', '@cls'],
        ['median', '@q2{0.[000]}'],
        ['quartiles', '@q1{0.[000]} – @q3{0.[000]}'],
        ['whiskers', '@lo{0.[000]} – @hi{0.[000]}'],
      ],
      renderers: boxGlyphs(b, box, {
        x: 'cls',
        fill: { field: 'color' },
        fillAlpha: 0.7,
        capped: true,
        outliers: { data: out, y: 'v', size: 5, alpha: 0.6 },
      }),
    });
    const pick = b.bk('Select', { title: 'Feature', value: first, options: features, width: 260 });
    const yAxis = b.first(boxPlot, 'left');
    const title = b.get(boxPlot, 'title');
    pickJs(
      b,
      pick,
      { box, out, all, outliers, axis: yAxis, title, units: Object.fromEntries(features.map((f) => [f, label(f)])) },
      'const f = cb_obj.value; box.data = all[f]; out.data = outliers[f]; axis.axis_label = units[f]; title.text = f + " by class";',
    );
    summary.push(
      b.bk('Row', {
        children: [donut, b.bk('Column', { children: [pick, boxPlot], sizing_mode: 'stretch_width' })],
        sizing_mode: 'stretch_width',
      }),
    );
  } else if (features.length > 0) {
    // Regression: every feature's box side by side, standardised, raw values in the hover.
    const cols = features;
    const st = cols.map((f) => {
      const s = ds.stats?.numeric.find((x) => x.name === f);
      const mean = s?.mean ?? 0;
      const sd = s?.std || 1;
      const bs = boxStats(data[f] as Float64Array);
      return { f, mean, sd, bs };
    });
    const z = (v: number, m: number, s: number) => (v - m) / s;
    const box = source(b, {
      f: cols,
      q1: st.map((s) => z(s.bs.q1, s.mean, s.sd)),
      q2: st.map((s) => z(s.bs.q2, s.mean, s.sd)),
      q3: st.map((s) => z(s.bs.q3, s.mean, s.sd)),
      lo: st.map((s) => z(s.bs.lo, s.mean, s.sd)),
      hi: st.map((s) => z(s.bs.hi, s.mean, s.sd)),
      raw: st.map((s) => `${fmt(s.bs.lo)} | ${fmt(s.bs.q1)} | ${fmt(s.bs.q2)} | ${fmt(s.bs.q3)} | ${fmt(s.bs.hi)}`),
    });
    const out = source(b, {
      f: st.flatMap((s) => s.bs.outliers.map(() => s.f)),
      z: st.flatMap((s) => s.bs.outliers.map((v) => z(v, s.mean, s.sd))),
      raw: st.flatMap((s) => s.bs.outliers),
    });
    const boxes = figure(b, {
      title: 'Features, standardised (value − mean) / std',
      xFactors: cols,
      yLabel: 'standard deviations from the mean',
      height: 400,
      tooltips: [
        ['feature', '@f'],
        ['whisker | quartiles | whisker', '@raw'],
        ['value', '@raw{0.[000]}'],
      ],
      renderers: boxGlyphs(b, box, {
        x: 'f',
        fill: '#1f77b4',
        fillAlpha: 0.6,
        capped: false,
        outliers: { data: out, y: 'z', size: 4, alpha: 0.5 },
      }),
    });
    summary.push(boxes);
  }
  if (textColumns.length > 0) {
    const bars = textColumns.map((f) =>
      countBars(
        b,
        f,
        categoryCounts(sample.text.get(f) ?? [], classCodes ? { labels: classes, codes: classCodes } : undefined),
        classification ? colorOf : null,
      ),
    );
    summary.push(
      note(
        `Rows per value of each text feature (the 10 most frequent; the rest as "other"; missing as its own bar)${classification ? ', stacked by class' : ''}, in ${sampleNote}:`,
      ),
    );
    if (classification)
      summary.push(
        div(
          b,
          `<div class="small" data-testid="count-legend"><strong>${esc(target ?? 'class')}:</strong> ${swatches}</div>`,
        ),
      );
    for (let i = 0; i < bars.length; i += 2) summary.push(b.bk('Row', { children: bars.slice(i, i + 2) }));
  }
  if (ds.stats) summary.push(missingChart(b, ds));
  const stats = ds.stats?.numeric ?? [];
  // Years, codes and ids read as 2007, not 2,007: a column written plain in both tables (plainNumbers).
  const plain = (name: string) => {
    const s = stats.find((x) => x.name === name);
    return plainNumbers([...(sample.numeric.get(name) ?? []), s?.min, s?.max]);
  };
  const measures = ['mean', 'std', 'min', 'q25', 'q50', 'q75', 'max'] as const;
  const statsTable = dataTable(
    b,
    source(b, {
      column: stats.map((s) => s.name),
      count: stats.map((s) => s.count),
      missing: stats.map((s) => s.missing),
      ...Object.fromEntries(measures.map((f) => [f, stats.map((s) => s[f])])),
      // Each cell's text: a feature's row is plain or grouped, and a table's formatter is per column.
      ...Object.fromEntries(measures.map((f) => [`${f}_text`, stats.map((s) => tableNumber(s[f], plain(s.name)))])),
    }),
    [
      { field: 'column', title: 'column', chars: Math.max(6, ...stats.map((s) => s.name.length)) },
      ...(['count', 'missing'] as const).map((f) => ({ field: f, title: f, numeric: true })),
      ...measures.map((f) => ({
        field: f,
        title: f.replace(/^q(\d\d)$/, '$1%'),
        numeric: true,
        text: `${f}_text`,
      })),
    ],
    Math.min(420, 40 + 28 * stats.length),
  );
  const shown = Math.min(n, 1000);
  const rowData: Record<string, unknown[]> = {};
  for (const c of ds.columns) {
    const num = sample.numeric.get(c.name);
    rowData[c.name] = num
      ? Array.from(num.subarray(0, shown), (v) => (Number.isNaN(v) ? null : v))
      : (sample.text.get(c.name) ?? []).slice(0, shown);
  }
  const rowTable = dataTable(
    b,
    source(b, rowData),
    ds.columns.map((c) => ({
      field: c.name,
      title: c.name,
      numeric: isNumeric(c.type),
      plain: isNumeric(c.type) && plain(c.name),
      chars: isNumeric(c.type)
        ? 9
        : Math.min(
            40,
            Math.max(4, ...(sample.text.get(c.name) ?? []).slice(0, 200).map((v) => String(v ?? '').length)),
          ),
    })),
    320,
  );
  summary.push(note(`Statistics over all ${count(ds.rowCount)} rows, computed by the database:`), statsTable);
  if (ds.stats && ds.stats.categorical.length > 0) summary.push(textStatsTable(b, ds));
  summary.push(
    note(`The first ${count(shown)} rows of ${sampleNote} (scroll; every row is on the dataset's data page):`),
    rowTable,
  );

  return summary;
}

interface BoxStyle {
  /** The box source's category column: the boxes stand side by side along it. */
  readonly x: string;
  readonly fill: string | { readonly field: string };
  readonly fillAlpha: number;
  /**
   * Whiskers as two segments (lo–q1, q3–hi) with a cap at each end, for one feature's boxes by
   * class; else one segment lo–hi behind the box, for many features side by side.
   */
  readonly capped: boolean;
  /** The outliers' source (x in the same column as the boxes), its y column, marker size and alpha. */
  readonly outliers: { readonly data: Source; readonly y: string; readonly size: number; readonly alpha: number };
}

/** Box plots over a source of q1, q2, q3, lo and hi per category: whiskers, the two halves of each box, outliers. */
function boxGlyphs(b: DocumentBuilder, box: Source, s: BoxStyle): Renderer[] {
  const x = { field: s.x };
  const whisker = (y0: string, y1: string) =>
    glyph(b, box, 'Segment', { x0: x, x1: x, y0: { field: y0 }, y1: { field: y1 }, line_color: '#444' });
  const half = (bottom: string, top: string) =>
    glyph(b, box, 'VBar', {
      x,
      width: 0.6,
      bottom: { field: bottom },
      top: { field: top },
      fill_color: s.fill,
      fill_alpha: s.fillAlpha,
      line_color: '#444',
    });
  const cap = (y: string) =>
    glyph(b, box, 'Rect', {
      x,
      y: { field: y },
      width: 0.2,
      height: { value: 1, units: 'screen' },
      line_color: '#444',
    });
  return [
    ...(s.capped ? [whisker('lo', 'q1'), whisker('q3', 'hi')] : [whisker('lo', 'hi')]),
    half('q1', 'q2'),
    half('q2', 'q3'),
    ...(s.capped ? [cap('lo'), cap('hi')] : []),
    glyph(b, s.outliers.data, 'Scatter', {
      x,
      y: { field: s.outliers.y },
      size: s.outliers.size,
      fill_color: '#d62728',
      line_color: null,
      fill_alpha: s.outliers.alpha,
    }),
  ];
}
