// The exploratory-analysis document of one dataset: four tabs (summary, feature importance,
// crossfilter, pair grid) for classification and regression, over numeric and text features.
// Statistics come from SQL over the whole table (the catalog's stats); plots use a uniform sample.
// Dropdowns switch columns in the browser (CustomJS) over data already in the document: no round trip.
import { isNumeric, type Dataset, type Sample } from '@enchilada/data';
import { DocumentBuilder, type EmbedItem, type LayoutDOM } from '../bokeh/model.js';
import { PALETTE, count, dataTable, div, esc, figure, glyph, source, type Plot, type Renderer } from '../bokeh/builders.js';
import { MISSING, boxStats, categoryCounts, histogram, importance, sizeBins, textCodes } from './eda-analysis.js';

const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

export interface EdaInput { readonly ds: Dataset; readonly sample: Sample }

const fmt = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '' : Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(Math.round(v * 1e4) / 1e4));

export function edaDocument({ ds, sample }: EdaInput): EmbedItem {
  const b = new DocumentBuilder();
  const unit = new Map(ds.columns.map((c) => [c.name, c.unit]));
  const label = (name: string) => (unit.get(name) ? `${name} (${unit.get(name)})` : name);
  const features = ds.columns.filter((c) => c.role === 'feature' && isNumeric(c.type)).map((c) => c.name);
  // Every text feature gets count bars; one whose values are nearly all different (names, ids) is
  // no category, so it stays off the axes and out of the mutual information.
  const textColumns = ds.columns.filter((c) => c.role === 'feature' && c.type === 'text').map((c) => c.name);
  const identifierLike = new Set((ds.stats?.categorical ?? []).filter((c) => c.identifierLike).map((c) => c.name));
  const textFeatures = textColumns.filter((f) => !identifierLike.has(f));
  const isText = new Set(textFeatures);
  const classification = ds.task === 'classification' && ds.target !== null;
  const target = ds.target;
  const n = sample.size;

  // Target as classes (classification) or values (regression).
  let classes: string[] = [];
  let classCodes: Int32Array | null = null;
  if (classification && target) {
    const raw = sample.text.get(target) ?? Array.from(sample.numeric.get(target) ?? [], (v) => (Number.isNaN(v) ? null : String(v)));
    classes = [...new Set(raw.filter((v): v is string => v !== null))].sort();
    classCodes = Int32Array.from(raw, (v) => (v === null ? -1 : classes.indexOf(v)));
  }
  const colorOf = (k: number) => PALETTE[k % PALETTE.length];

  // The rows every point plot shares.
  const data: Record<string, unknown[] | ArrayLike<number>> = {};
  for (const f of features) {
    data[f] = sample.numeric.get(f) ?? new Float64Array(n);
    data[`__size_${f}`] = sizeBins(data[f]);
  }
  if (target && !classification && sample.numeric.has(target)) data[target] = sample.numeric.get(target) ?? new Float64Array(n);
  if (classCodes) data.__class = Array.from(classCodes, (c) => (c < 0 ? '(missing)' : classes[c]));
  // Text as labels, missing as its own label: a categorical axis has no place for null.
  const factors: Record<string, string[]> = {};
  for (const f of textFeatures) {
    const v = sample.text.get(f) ?? [];
    data[f] = v.map((x) => x ?? MISSING);
    factors[f] = categoryCounts(v, undefined, Infinity).values;
  }
  const rows = source(b, data);
  const sampleNote = sample.sampled ? `a uniform sample of ${count(n)} of ${count(ds.rowCount)} rows` : `all ${count(n)} rows`;
  const note = (text: string) => div(b, `<p class="small text-body-secondary mb-1">${text}</p>`);

  if (features.length === 0 && textFeatures.length === 0) {
    return b.item(div(b, '<p>This dataset has no numeric or categorical text feature columns to explore.</p>'), 'Explore');
  }
  const tooltips: [string, string][] = [
    ...features.slice(0, 12).map((f) => [f, `@{${f}}{0.[000]}`] as [string, string]),
    ...textFeatures.slice(0, 6).map((f) => [f, `@{${f}}`] as [string, string]),
  ];
  if (classification) tooltips.push([target ?? 'class', '@__class']);
  else if (target) tooltips.push([target, `@{${target}}{0.[000]}`]);

  // ---- Tab 1: summary ----
  const summary: LayoutDOM[] = [];
  let donut: Plot | null = null;
  if (classification && ds.stats?.classCounts) {
    const counts = ds.stats.classCounts;
    const total = counts.reduce((s, c) => s + c.count, 0) || 1;
    let angle = 0;
    const start: number[] = [];
    const end: number[] = [];
    for (const c of counts) { start.push(angle); angle += (2 * Math.PI * c.count) / total; end.push(angle); }
    const pie = source(b, {
      cls: counts.map((c) => c.value), count: counts.map((c) => c.count), pct: counts.map((c) => `${((100 * c.count) / total).toFixed(1)}%`),
      start, end, color: counts.map((c) => colorOf(Math.max(0, classes.indexOf(c.value)))),
    });
    const wedges = glyph(b, pie, 'AnnularWedge', {
      x: 0, y: 0, inner_radius: 0.45, outer_radius: 0.9, start_angle: { field: 'start' }, end_angle: { field: 'end' },
      fill_color: { field: 'color' }, line_color: 'white',
    });
    donut = figure(b, { title: `Classes of ${target} (all ${count(total)} rows)`, width: 420, height: 360, tooltips: [['class', '@cls'], ['rows', '@count'], ['share', '@pct']], renderers: [wedges] });
    const legendItems = counts.map((c, i) => b.bk('LegendItem', { label: { value: c.value }, renderers: [wedges], index: i }));
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
      all[f] = { cls: classes, q1: per.map((p) => p.q1), q2: per.map((p) => p.q2), q3: per.map((p) => p.q3), lo: per.map((p) => p.lo), hi: per.map((p) => p.hi), color: classes.map((_, k) => colorOf(k)) };
      outliers[f] = { cls: per.flatMap((p, k) => p.outliers.map(() => classes[k])), v: per.flatMap((p) => p.outliers) };
    }
    const first = features[0];
    const box = source(b, all[first]);
    const out = source(b, outliers[first]);
    const boxPlot = figure(b, {
      title: `${first} by class`, xFactors: classes, yLabel: label(first), height: 360,
      tooltips: [['class', '@cls'], ['median', '@q2{0.[000]}'], ['quartiles', '@q1{0.[000]} – @q3{0.[000]}'], ['whiskers', '@lo{0.[000]} – @hi{0.[000]}']],
      renderers: [
        glyph(b, box, 'Segment', { x0: { field: 'cls' }, x1: { field: 'cls' }, y0: { field: 'lo' }, y1: { field: 'q1' }, line_color: '#444' }),
        glyph(b, box, 'Segment', { x0: { field: 'cls' }, x1: { field: 'cls' }, y0: { field: 'q3' }, y1: { field: 'hi' }, line_color: '#444' }),
        glyph(b, box, 'VBar', { x: { field: 'cls' }, width: 0.6, bottom: { field: 'q1' }, top: { field: 'q2' }, fill_color: { field: 'color' }, fill_alpha: 0.7, line_color: '#444' }),
        glyph(b, box, 'VBar', { x: { field: 'cls' }, width: 0.6, bottom: { field: 'q2' }, top: { field: 'q3' }, fill_color: { field: 'color' }, fill_alpha: 0.7, line_color: '#444' }),
        glyph(b, box, 'Rect', { x: { field: 'cls' }, y: { field: 'lo' }, width: 0.2, height: { value: 1, units: 'screen' }, line_color: '#444' }),
        glyph(b, box, 'Rect', { x: { field: 'cls' }, y: { field: 'hi' }, width: 0.2, height: { value: 1, units: 'screen' }, line_color: '#444' }),
        glyph(b, out, 'Scatter', { x: { field: 'cls' }, y: { field: 'v' }, size: 5, fill_color: '#d62728', line_color: null, fill_alpha: 0.6 }),
      ],
    });
    const pick = b.bk('Select', { title: 'Feature', value: first, options: features, width: 260 });
    const yAxis = b.first(boxPlot, 'left');
    const title = b.get(boxPlot, 'title');
    pick_js(b, pick, { box, out, all, outliers, axis: yAxis, title, units: Object.fromEntries(features.map((f) => [f, label(f)])) },
      'const f = cb_obj.value; box.data = all[f]; out.data = outliers[f]; axis.axis_label = units[f]; title.text = f + " by class";');
    summary.push(b.bk('Row', { children: [donut, b.bk('Column', { children: [pick, boxPlot], sizing_mode: 'stretch_width' })], sizing_mode: 'stretch_width' }));
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
      f: cols, q1: st.map((s) => z(s.bs.q1, s.mean, s.sd)), q2: st.map((s) => z(s.bs.q2, s.mean, s.sd)), q3: st.map((s) => z(s.bs.q3, s.mean, s.sd)),
      lo: st.map((s) => z(s.bs.lo, s.mean, s.sd)), hi: st.map((s) => z(s.bs.hi, s.mean, s.sd)),
      raw: st.map((s) => `${fmt(s.bs.lo)} | ${fmt(s.bs.q1)} | ${fmt(s.bs.q2)} | ${fmt(s.bs.q3)} | ${fmt(s.bs.hi)}`),
    });
    const out = source(b, { f: st.flatMap((s) => s.bs.outliers.map(() => s.f)), z: st.flatMap((s) => s.bs.outliers.map((v) => z(v, s.mean, s.sd))), raw: st.flatMap((s) => s.bs.outliers) });
    const boxes = figure(b, {
      title: 'Features, standardised (value − mean) / std', xFactors: cols, yLabel: 'standard deviations from the mean', height: 400,
      tooltips: [['feature', '@f'], ['whisker | quartiles | whisker', '@raw'], ['value', '@raw{0.[000]}']],
      renderers: [
        glyph(b, box, 'Segment', { x0: { field: 'f' }, x1: { field: 'f' }, y0: { field: 'lo' }, y1: { field: 'hi' }, line_color: '#444' }),
        glyph(b, box, 'VBar', { x: { field: 'f' }, width: 0.6, bottom: { field: 'q1' }, top: { field: 'q2' }, fill_color: '#1f77b4', fill_alpha: 0.6, line_color: '#444' }),
        glyph(b, box, 'VBar', { x: { field: 'f' }, width: 0.6, bottom: { field: 'q2' }, top: { field: 'q3' }, fill_color: '#1f77b4', fill_alpha: 0.6, line_color: '#444' }),
        glyph(b, out, 'Scatter', { x: { field: 'f' }, y: { field: 'z' }, size: 4, fill_color: '#d62728', line_color: null, fill_alpha: 0.5 }),
      ],
    });
    summary.push(boxes);
  }
  const swatches = classification ? classes.map((cl, k) => `<span class="me-3"><span style="display:inline-block;width:12px;height:12px;background:${colorOf(k)};opacity:.8"></span> ${esc(cl)}</span>`).join('') : '';
  if (textColumns.length > 0) {
    const bars = textColumns.map((f) => countBars(b, f, categoryCounts(sample.text.get(f) ?? [], classCodes ? { labels: classes, codes: classCodes } : undefined), classification ? colorOf : null));
    summary.push(note(`Rows per value of each text feature (the 10 most frequent; the rest as "other"; missing as its own bar)${classification ? ', stacked by class' : ''}, in ${sampleNote}:`));
    if (classification) summary.push(div(b, `<div class="small" data-testid="count-legend"><strong>${esc(target ?? 'class')}:</strong> ${swatches}</div>`));
    for (let i = 0; i < bars.length; i += 2) summary.push(b.bk('Row', { children: bars.slice(i, i + 2) }));
  }
  if (ds.stats) summary.push(missingChart(b, ds));
  const stats = ds.stats?.numeric ?? [];
  const statsTable = dataTable(b, source(b, {
    column: stats.map((s) => s.name), count: stats.map((s) => s.count), missing: stats.map((s) => s.missing),
    mean: stats.map((s) => s.mean), std: stats.map((s) => s.std), min: stats.map((s) => s.min), q25: stats.map((s) => s.q25),
    q50: stats.map((s) => s.q50), q75: stats.map((s) => s.q75), max: stats.map((s) => s.max),
  }), [
    { field: 'column', title: 'column', chars: Math.max(6, ...stats.map((s) => s.name.length)) }, ...['count', 'missing', 'mean', 'std', 'min', 'q25', 'q50', 'q75', 'max'].map((f) => ({ field: f, title: f.replace(/^q(\d\d)$/, '$1%'), numeric: true })),
  ], Math.min(420, 40 + 28 * stats.length));
  const shown = Math.min(n, 1000);
  const rowData: Record<string, unknown[]> = {};
  for (const c of ds.columns) {
    const num = sample.numeric.get(c.name);
    rowData[c.name] = num ? Array.from(num.subarray(0, shown), (v) => (Number.isNaN(v) ? null : v)) : (sample.text.get(c.name) ?? []).slice(0, shown);
  }
  const rowTable = dataTable(b, source(b, rowData), ds.columns.map((c) => ({
    field: c.name, title: c.name, numeric: isNumeric(c.type),
    chars: isNumeric(c.type) ? 9 : Math.min(40, Math.max(4, ...(sample.text.get(c.name) ?? []).slice(0, 200).map((v) => String(v ?? '').length))),
  })), 320);
  summary.push(note(`Statistics over all ${count(ds.rowCount)} rows, computed by the database:`), statsTable);
  if (ds.stats && ds.stats.categorical.length > 0) summary.push(textStatsTable(b, ds));
  summary.push(
    note(`The first ${count(shown)} rows of ${sampleNote} (scroll; every row is on the dataset's data page):`), rowTable);

  // ---- Tab 2: feature importance ----
  const imp = importance(
    [
      ...features.map((f) => ({ name: f, values: data[f] as Float64Array, discrete: ds.columns.find((c) => c.name === f)?.type === 'integer' })),
      ...textFeatures.map((f) => ({ name: f, values: textCodes(sample.text.get(f) ?? []), discrete: true, categorical: true })),
    ],
    target ? { values: sample.numeric.get(target) ?? new Float64Array(n), classes: classCodes ?? undefined } : null,
  );
  const textNote = textFeatures.length === 0 ? '' : ` Text features count as discrete (scikit-learn's discrete_features, values coded as categories); rows where a text feature is missing are left out of that feature's MI only (the hover gives each feature's rows).`;
  const idNote = textColumns.length > textFeatures.length ? ` ${esc(textColumns.filter((f) => identifierLike.has(f)).join(', '))}: nearly every value differs, so not a category, and left out.` : '';
  const impTab: LayoutDOM[] = [note(`Mutual information with ${esc(target ?? 'the target')} (k-nearest-neighbour estimator, k = 3, as scikit-learn) and principal components of the standardised numeric features, on ${count(imp.rows)} rows complete in every numeric feature, of ${sampleNote}.${textNote}${idNote}`)];
  if (target) {
    const order = imp.features.map((f, i) => ({ f, v: imp.mi[i], rows: imp.miRows[i] })).sort((a, c) => a.v - c.v);
    const miSrc = source(b, { f: order.map((o) => o.f), mi: order.map((o) => o.v), rows: order.map((o) => o.rows), kind: order.map((o) => (isText.has(o.f) ? 'text' : 'numeric')) });
    impTab.push(figure(b, {
      title: `Mutual information with ${target}`, yFactors: order.map((o) => o.f), xLabel: 'mutual information (nats)', xStart: 0,
      height: Math.max(240, 40 + 28 * order.length), tooltips: [['feature', '@f (@kind)'], ['MI', '@mi{0.000}'], ['rows', '@rows']],
      renderers: [glyph(b, miSrc, 'HBar', { y: { field: 'f' }, right: { field: 'mi' }, left: 0, height: 0.7, fill_color: '#2ca02c', line_color: null })],
    }));
  } else impTab.push(note('This dataset has no target, so there is no mutual information to show.'));
  const comps = imp.pcaRatio.map((_, i) => `PC${i + 1}`);
  const pcaSrc = source(b, { pc: comps, ratio: imp.pcaRatio, cum: imp.pcaCumulative, pct: imp.pcaRatio.map((r) => `${(100 * r).toFixed(1)}%`), cpct: imp.pcaCumulative.map((r) => `${(100 * r).toFixed(1)}%`) });
  impTab.push(figure(b, {
    title: 'PCA: explained variance per component and cumulative', xFactors: comps, yLabel: 'share of variance', height: 340,
    tooltips: [['component', '@pc'], ['explained', '@pct'], ['cumulative', '@cpct']],
    renderers: [
      glyph(b, pcaSrc, 'VBar', { x: { field: 'pc' }, top: { field: 'ratio' }, bottom: 0, width: 0.7, fill_color: '#9467bd', fill_alpha: 0.7, line_color: null }),
      glyph(b, pcaSrc, 'Line', { x: { field: 'pc' }, y: { field: 'cum' }, line_color: '#ff7f0e', line_width: 2 }),
      glyph(b, pcaSrc, 'Scatter', { x: { field: 'pc' }, y: { field: 'cum' }, size: 7, fill_color: '#ff7f0e', line_color: null }),
    ],
  }));

  // ---- Tab 3: crossfilter ----
  // A text column on an axis needs a FactorRange and a categorical scale, which a plot cannot swap
  // in the browser; so there is one plot per pair of axis kinds (numeric or text), and choosing
  // columns shows the plot whose axes fit them. Points on a text axis are jittered across its band.
  type AxisKind = 'num' | 'cat';
  const axisChoices = [...features, ...textFeatures];
  const kindOf = (f: string): AxisKind => (isText.has(f) ? 'cat' : 'num');
  const [fx, fy] = [axisChoices[0], axisChoices[1] ?? axisChoices[0]];
  const ranges: Record<string, [number, number]> = {};
  for (const f of [...features, ...(target && !classification && sample.numeric.has(target) ? [target] : [])]) {
    const v = (data[f] ?? new Float64Array()) as Float64Array;
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of v) if (!Number.isNaN(x)) { if (x < lo) lo = x; if (x > hi) hi = x; }
    ranges[f] = [lo, hi];
  }
  // Colour: the class (classification) or a numeric column (regression), or any text feature.
  const catMapper = (fs: readonly string[]) => b.bk('CategoricalColorMapper', { factors: [...fs], palette: fs.map((v, k) => (v === MISSING ? '#999999' : colorOf(k))), nan_color: '#999999' });
  const colorNames: string[] = [];
  const colorMaps: unknown[] = [];
  let fillColor: unknown;
  let colorMapper: unknown = null;
  const numericColors = classification ? [] : [...features, ...(target && ranges[target] ? [target] : [])];
  const colorDefault = classification ? '__class' : (numericColors.includes(target ?? '') ? (target ?? '') : numericColors[0] ?? textFeatures[0]);
  if (classification) {
    const m = catMapper(classes);
    colorNames.push('__class'); colorMaps.push(m);
    fillColor = { field: '__class', transform: m };
  } else if (numericColors.length > 0) {
    colorMapper = b.bk('LinearColorMapper', { palette: VIRIDIS, low: ranges[colorDefault][0], high: ranges[colorDefault][1], nan_color: '#cccccc' });
    fillColor = { field: colorDefault, transform: colorMapper };
  }
  for (const f of textFeatures) { colorNames.push(f); colorMaps.push(catMapper(factors[f])); }
  if (fillColor === undefined) fillColor = { field: colorDefault, transform: colorMaps[colorNames.indexOf(colorDefault)] };
  const sizeSpec = features.length > 0 ? { field: `__size_${features[0]}` } : 7;
  const axisSpec = (f: string, jitter: unknown) => (jitter ? { field: f, transform: jitter } : { field: f });
  const kinds = [...new Set(axisChoices.map(kindOf))];
  const views: { kx: AxisKind; ky: AxisKind; plot: Plot; g: unknown; jx: unknown; jy: unknown; legend: unknown; bar: unknown }[] = [];
  for (const kx of kinds) for (const ky of kinds) {
    const on = kx === kindOf(fx) && ky === kindOf(fy);
    // A hidden plot starts on the first columns of its kinds; the callback sets the chosen ones.
    const x0 = on ? fx : (axisChoices.find((f) => kindOf(f) === kx) ?? fx);
    const y0 = on ? fy : (axisChoices.find((f) => kindOf(f) === ky) ?? fy);
    const plot = figure(b, { title: `${y0} against ${x0}`, xLabel: label(x0), yLabel: label(y0), xFactors: kx === 'cat' ? factors[x0] : undefined, yFactors: ky === 'cat' ? factors[y0] : undefined, height: 520, tooltips });
    const jx = kx === 'cat' ? b.bk('Jitter', { width: 0.6, range: b.get(plot, 'x_range') as never }) : null;
    const jy = ky === 'cat' ? b.bk('Jitter', { width: 0.6, range: b.get(plot, 'y_range') as never }) : null;
    const r = glyph(b, rows, 'Scatter', { x: axisSpec(x0, jx) as never, y: axisSpec(y0, jy) as never, size: sizeSpec as never, fill_color: fillColor as never, fill_alpha: 0.6, line_color: null });
    // A legend only where a categorical colour can be chosen: it lists one entry per distinct value.
    const legend = colorNames.length ? b.bk('Legend', { items: [b.bk('LegendItem', { label: { field: colorDefault }, renderers: [r] })], visible: colorNames.includes(colorDefault) }) : null;
    const bar = colorMapper ? b.bk('ColorBar', { color_mapper: colorMapper as never, width: 12, visible: !colorNames.includes(colorDefault) }) : null;
    b.set(plot, { renderers: [r], right: [bar, legend].filter((m) => m !== null), visible: on });
    views.push({ kx, ky, plot, g: b.get(r, 'glyph'), jx, jy, legend, bar });
  }
  const units = Object.fromEntries(axisChoices.map((f) => [f, label(f)]));
  const axisKind = Object.fromEntries(axisChoices.map((f) => [f, kindOf(f)]));
  const xSel = b.bk('Select', { title: 'x', value: fx, options: axisChoices, width: 200 });
  const ySel = b.bk('Select', { title: 'y', value: fy, options: axisChoices, width: 200 });
  const axisArgs = {
    xs: xSel, ys: ySel, units, axisKind, factors,
    plots: views.map((v) => v.plot), gs: views.map((v) => v.g), kxs: views.map((v) => v.kx), kys: views.map((v) => v.ky), jxs: views.map((v) => v.jx), jys: views.map((v) => v.jy),
  };
  const showAxes = `const fx = xs.value, fy = ys.value;
for (let i = 0; i < plots.length; i++) {
  const p = plots[i];
  p.visible = kxs[i] === axisKind[fx] && kys[i] === axisKind[fy];
  if (!p.visible) continue;
  if (jxs[i]) p.x_range.factors = factors[fx];
  if (jys[i]) p.y_range.factors = factors[fy];
  gs[i].x = jxs[i] ? {field: fx, transform: jxs[i]} : {field: fx};
  gs[i].y = jys[i] ? {field: fy, transform: jys[i]} : {field: fy};
  p.below[0].axis_label = units[fx]; p.left[0].axis_label = units[fy]; p.title.text = fy + " against " + fx;
}`;
  pick_js(b, xSel, axisArgs, showAxes);
  pick_js(b, ySel, axisArgs, showAxes);
  const controls: LayoutDOM[] = [xSel, ySel];
  if (features.length > 0) {
    const sSel = b.bk('Select', { title: 'marker size', value: features[0], options: features, width: 200 });
    pick_js(b, sSel, { gs: views.map((v) => v.g) }, 'for (const g of gs) g.size = {field: "__size_" + cb_obj.value};');
    controls.push(sSel);
  }
  const colorOptions: (string | [string, string])[] = [...(classification ? [['__class', target ?? 'class'] as [string, string]] : numericColors), ...textFeatures];
  if (colorOptions.length > 1) {
    const cSel = b.bk('Select', { title: 'marker colour', value: colorDefault, options: colorOptions, width: 200 });
    pick_js(b, cSel, { gs: views.map((v) => v.g), legends: views.map((v) => v.legend), bars: views.map((v) => v.bar), m: colorMapper, ranges, colorNames, colorMaps }, `const f = cb_obj.value, k = colorNames.indexOf(f);
if (k < 0) { m.low = ranges[f][0]; m.high = ranges[f][1]; }
for (const g of gs) g.fill_color = {field: f, transform: k < 0 ? m : colorMaps[k]};
for (const l of legends) if (l) { l.visible = k >= 0; l.items[0].label = {field: f}; }
for (const c of bars) if (c) c.visible = k < 0;`);
    controls.push(cSel);
  }
  const crossTab = b.bk('Column', {
    children: [note(`Each point is a row of ${sampleNote}${features.length ? '; marker sizes are six quantile bins of the chosen column' : ''}${textFeatures.length ? '; on a text axis points spread at random across their value\'s band' : ''}.`), b.bk('Row', { children: controls }), ...views.map((v) => v.plot)],
    sizing_mode: 'stretch_width',
  });

  // ---- Tab 4: pair grid of the top features by MI ----
  const top = imp.features.map((f, i) => ({ f, v: Number.isNaN(imp.mi[i]) ? 0 : imp.mi[i] })).sort((a, c) => c.v - a.v).slice(0, 4).map((o) => o.f);
  const cells: [LayoutDOM, number, number][] = [];
  const gridFill = classification ? fillColor : '#1f77b4';
  top.forEach((fyy, r) => top.forEach((fxx, c) => {
    const size = 210;
    const xl = r === top.length - 1 ? label(fxx) : undefined;
    const yl = c === 0 ? label(fyy) : undefined;
    let p: Plot;
    if (r === c && isText.has(fxx)) {
      // Text on the diagonal: rows per value, stacked by class, on the same axis as the column's other cells.
      const cc = categoryCounts(sample.text.get(fxx) ?? [], classCodes ? { labels: classes, codes: classCodes } : undefined, Infinity);
      const seg = { value: [] as string[], cls: [] as string[], bottom: [] as number[], top: [] as number[], count: [] as number[], color: [] as string[] };
      cc.values.forEach((v, vi) => {
        let bottom = 0;
        cc.groups.forEach((g, gi) => {
          const k = cc.counts[gi][vi];
          if (k === 0) return;
          seg.value.push(v); seg.cls.push(g); seg.bottom.push(bottom); seg.top.push(bottom + k); seg.count.push(k);
          seg.color.push(classification ? (g === MISSING ? '#999999' : colorOf(gi)) : '#1f77b4');
          bottom += k;
        });
      });
      p = figure(b, {
        xLabel: xl, yLabel: yl, xFactors: factors[fxx], width: size, height: size, toolbar: false, tooltips: [['value', '@value'], ...(classification ? [['class', '@cls'] as [string, string]] : []), ['rows', '@count']],
        renderers: [glyph(b, source(b, seg), 'VBar', { x: { field: 'value' }, bottom: { field: 'bottom' }, top: { field: 'top' }, width: 0.7, fill_color: { field: 'color' }, fill_alpha: 0.7, line_color: 'white' })],
      });
    } else if (r === c) {
      const v = data[fxx] as Float64Array;
      let renderers: Renderer[];
      if (classification && classCodes) {
        const codes = classCodes;
        const range: [number, number] = [ranges[fxx]?.[0] ?? 0, ranges[fxx]?.[1] ?? 1];
        renderers = classes.map((cl, k) => {
          const h = histogram(v.filter((_x, i) => codes[i] === k), range);
          return glyph(b, source(b, { left: h.left, right: h.right, count: h.count, cls: h.count.map(() => cl) }), 'Quad', { left: { field: 'left' }, right: { field: 'right' }, top: { field: 'count' }, bottom: 0, fill_color: colorOf(k), fill_alpha: 0.45, line_color: null });
        });
      } else {
        const h = histogram(v);
        renderers = [glyph(b, source(b, { left: h.left, right: h.right, count: h.count }), 'Quad', { left: { field: 'left' }, right: { field: 'right' }, top: { field: 'count' }, bottom: 0, fill_color: '#1f77b4', fill_alpha: 0.6, line_color: 'white' })];
      }
      p = figure(b, { xLabel: xl, yLabel: yl, width: size, height: size, renderers, toolbar: false, tooltips: [['count', '@count'], ['from', '@left{0.[00]}'], ['to', '@right{0.[00]}']] });
    } else {
      p = figure(b, { xLabel: xl, yLabel: yl, xFactors: isText.has(fxx) ? factors[fxx] : undefined, yFactors: isText.has(fyy) ? factors[fyy] : undefined, width: size, height: size, toolbar: false });
      const jx = isText.has(fxx) ? b.bk('Jitter', { width: 0.6, range: b.get(p, 'x_range') as never }) : null;
      const jy = isText.has(fyy) ? b.bk('Jitter', { width: 0.6, range: b.get(p, 'y_range') as never }) : null;
      b.set(p, { renderers: [glyph(b, rows, 'Scatter', { x: axisSpec(fxx, jx) as never, y: axisSpec(fyy, jy) as never, size: 3, fill_color: gridFill as never, fill_alpha: 0.5, line_color: null })] });
    }
    cells.push([p, r, c]);
  }));
  const gridChildren: LayoutDOM[] = [];
  if (classification) gridChildren.push(div(b, `<div class="small" data-testid="grid-legend"><strong>${esc(target ?? 'class')}:</strong> ${swatches}</div>`));
  gridChildren.push(note(`The ${top.length} features with the highest mutual information; on the diagonal histograms (numpy's 'auto' bins) of numeric features and rows per value of text features${classification ? ', per class' : ''}; points on a text axis spread at random across their value's band; ${sampleNote}.`));
  gridChildren.push(b.bk('GridPlot', { children: cells, toolbar: b.bk('Toolbar', { tools: [b.bk('PanTool', {}), b.bk('WheelZoomTool', {}), b.bk('ResetTool', {})] }), toolbar_location: 'right' }));

  const tabs = b.bk('Tabs', {
    tabs: [
      b.bk('TabPanel', { title: 'Summary', child: b.bk('Column', { children: summary, sizing_mode: 'stretch_width' }) }),
      b.bk('TabPanel', { title: 'Feature importance', child: b.bk('Column', { children: impTab, sizing_mode: 'stretch_width' }) }),
      b.bk('TabPanel', { title: 'Crossfilter', child: crossTab }),
      b.bk('TabPanel', { title: 'Grid plot', child: b.bk('Column', { children: gridChildren }) }),
    ],
    sizing_mode: 'stretch_width',
  });
  return b.item(tabs, `Explore ${ds.title}`);
}

/** Horizontal bars of a text column's value counts, stacked by class when `color` is given. */
function countBars(b: DocumentBuilder, name: string, cc: ReturnType<typeof categoryCounts>, color: ((k: number) => string) | null): Plot {
  const seg = { value: [] as string[], cls: [] as string[], left: [] as number[], right: [] as number[], count: [] as number[], color: [] as string[] };
  cc.values.forEach((v, vi) => {
    let left = 0;
    cc.groups.forEach((g, gi) => {
      const c = cc.counts[gi][vi];
      if (c === 0) return;
      seg.value.push(v); seg.cls.push(g); seg.left.push(left); seg.right.push(left + c); seg.count.push(c);
      seg.color.push(color ? (g === MISSING ? '#999999' : color(gi)) : '#1f77b4');
      left += c;
    });
  });
  const tooltips: [string, string][] = [['value', '@value'], ...(color ? [['class', '@cls'] as [string, string]] : []), ['rows', '@count']];
  return figure(b, {
    // The most frequent value on top: a FactorRange lists its factors upwards.
    title: `${name}: rows per value${color ? ' and class' : ''}`, yFactors: [...cc.values].reverse(), xLabel: 'rows', xStart: 0,
    width: 460, height: Math.max(200, 70 + 24 * cc.values.length), tooltips,
    renderers: [glyph(b, source(b, seg), 'HBar', { y: { field: 'value' }, left: { field: 'left' }, right: { field: 'right' }, height: 0.7, fill_color: { field: 'color' }, line_color: 'white' })],
  });
}

/**
 * Count, missing, distinct and the most frequent values of every text column, from the statistics
 * the database computed over all rows (what the dataset page shows). An HTML table, not a
 * DataTable: its "most frequent" cell holds a list that a grid cell would cut off.
 */
function textStatsTable(b: DocumentBuilder, ds: Dataset): LayoutDOM {
  const rows = (ds.stats?.categorical ?? []).map((s) => {
    const top = s.top.slice(0, 5).map((t) => `<span class="text-nowrap">${esc(t.value)} <span class="text-body-secondary">(${count(t.count)})</span></span>`).join(' · ');
    const more = s.distinct > Math.min(5, s.top.length) ? ' · …' : '';
    const id = s.identifierLike ? ' <span class="badge text-bg-warning">identifier-like</span>' : '';
    return `<tr data-column="${esc(s.name)}"><td><code>${esc(s.name)}</code>${id}</td><td class="text-end">${count(s.count)}</td><td class="text-end">${count(s.missing)}</td>`
      + `<td class="text-end">${count(s.distinct)}</td><td class="small">${top}${more}</td></tr>`;
  }).join('');
  return div(b, `<p class="small text-body-secondary mb-1">Text columns over all ${count(ds.rowCount)} rows, computed by the database:</p>`
    + '<table class="table table-sm small mb-2" data-testid="eda-text-stats"><thead><tr><th>column</th><th class="text-end">count</th><th class="text-end">missing</th>'
    + `<th class="text-end">distinct</th><th>most frequent values</th></tr></thead><tbody>${rows}</tbody></table>`);
}

/** The share of missing values of every column, from the statistics the database computed. */
function missingChart(b: DocumentBuilder, ds: Dataset): Plot {
  const stats = ds.stats;
  const all = stats ? [...stats.numeric, ...stats.categorical, ...stats.dates] : [];
  const missing = new Map(all.map((s) => [s.name, s.missing]));
  const rows = stats?.rows ?? ds.rowCount;
  const cols = ds.columns.filter((c) => missing.has(c.name));
  const n = cols.map((c) => missing.get(c.name) ?? 0);
  const pct = n.map((m) => (rows > 0 ? (100 * m) / rows : 0));
  const src = source(b, {
    column: cols.map((c) => c.name), kind: cols.map((c) => c.type), missing: n, pct,
    label: pct.map((p, i) => `${count(n[i])} (${p.toFixed(1)}%)`), color: n.map((m) => (m > 0 ? '#d62728' : '#cccccc')),
  });
  return figure(b, {
    title: `Missing values per column (all ${count(rows)} rows, counted by the database)`, yFactors: cols.map((c) => c.name).reverse(),
    xLabel: 'rows missing (%)', xStart: 0, xEnd: Math.min(100, Math.max(5, 1.15 * Math.max(0, ...pct))),
    height: Math.max(200, 70 + 24 * cols.length), tooltips: [['column', '@column (@kind)'], ['missing', '@label']],
    renderers: [glyph(b, src, 'HBar', { y: { field: 'column' }, left: 0, right: { field: 'pct' }, height: 0.7, fill_color: { field: 'color' }, line_color: null })],
  });
}

/** Attaches a CustomJS callback to a Select's value changes. */
function pick_js(b: DocumentBuilder, select: object, args: Record<string, unknown>, code: string): void {
  b.set(select, { js_property_callbacks: { 'change:value': [b.bk('CustomJS', { args: args, code })] } });
}

/** A pie needs no axes or grid: drop them, keep the legend. */
function hideAxes(plot: Plot, b: DocumentBuilder, right: unknown[]): void {
  b.set(plot, {
    below: [], left: [], center: [], right,
    x_range: b.bk('Range1d', { start: -1, end: 1 }), y_range: b.bk('Range1d', { start: -1, end: 1 }),
    match_aspect: true, outline_line_color: null,
  });
}
