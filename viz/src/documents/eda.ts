// The exploratory-analysis document of one dataset: four tabs (summary, feature importance,
// crossfilter, pair grid) for classification and regression. Statistics come from SQL over the
// whole table (the catalog's stats); plots use a uniform sample. Dropdowns switch columns in the
// browser (CustomJS) over data already in the document: no round trip.
import { isNumeric, type Dataset, type Sample } from '@enchilada/data';
import { DocumentBuilder, type EmbedItem } from '../bokeh/model.js';
import { PALETTE, count, dataTable, div, esc, figure, glyph, source, type Plot, type Renderer } from '../bokeh/builders.js';
import { boxStats, histogram, importance, sizeBins } from './eda-analysis.js';

const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

export interface EdaInput { readonly ds: Dataset; readonly sample: Sample }

const fmt = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '' : Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(Math.round(v * 1e4) / 1e4));

export function edaDocument({ ds, sample }: EdaInput): EmbedItem {
  const b = new DocumentBuilder();
  const unit = new Map(ds.columns.map((c) => [c.name, c.unit]));
  const label = (name: string) => (unit.get(name) ? `${name} (${unit.get(name)})` : name);
  const features = ds.columns.filter((c) => c.role === 'feature' && isNumeric(c.type)).map((c) => c.name);
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
    data[`__size_${f}`] = sizeBins(data[f] as Float64Array);
  }
  if (target && !classification && sample.numeric.has(target)) data[target] = sample.numeric.get(target) ?? new Float64Array(n);
  if (classCodes) data.__class = Array.from(classCodes, (c) => (c < 0 ? '(missing)' : classes[c]));
  const rows = source(b, data);
  const sampleNote = sample.sampled ? `a uniform sample of ${count(n)} of ${count(ds.rowCount)} rows` : `all ${count(n)} rows`;
  const note = (text: string) => div(b, `<p class="small text-body-secondary mb-1">${text}</p>`);

  if (features.length === 0) {
    return b.item(div(b, '<p>This dataset has no numeric feature columns to explore.</p>'), 'Explore');
  }
  const tooltips: [string, string][] = [...features.slice(0, 12).map((f) => [f, `@{${f}}{0.[000]}`] as [string, string])];
  if (classification) tooltips.push([target ?? 'class', '@__class']);
  else if (target) tooltips.push([target, `@{${target}}{0.[000]}`]);

  // ---- Tab 1: summary ----
  const summary: unknown[] = [];
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
    const donut = figure(b, { title: `Classes of ${target} (all ${count(total)} rows)`, width: 420, height: 360, tooltips: [['class', '@cls'], ['rows', '@count'], ['share', '@pct']], renderers: [wedges] });
    const legendItems = counts.map((c, i) => b.bk('LegendItem', { label: { value: c.value }, renderers: [wedges], index: i }));
    hideAxes(donut, b, [b.bk('Legend', { items: legendItems, location: 'center' })]);

    // Box plot of one feature by class, switched by a dropdown.
    const all: Record<string, Record<string, unknown[]>> = {};
    const outliers: Record<string, Record<string, unknown[]>> = {};
    for (const f of features) {
      const values = data[f] as Float64Array;
      const per = classes.map((_, k) => boxStats(values.filter((_v, i) => classCodes![i] === k)));
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
  } else {
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
  summary.push(note(`Statistics over all ${count(ds.rowCount)} rows, computed by the database:`), statsTable,
    note(`The first ${count(shown)} rows of ${sampleNote} (scroll; every row is on the dataset's data page):`), rowTable);

  // ---- Tab 2: feature importance ----
  const imp = importance(
    features.map((f) => ({ name: f, values: data[f] as Float64Array, discrete: ds.columns.find((c) => c.name === f)?.type === 'integer' })),
    target ? { values: sample.numeric.get(target) ?? new Float64Array(n), classes: classCodes ?? undefined } : null,
  );
  const impTab: unknown[] = [note(`Mutual information with ${esc(target ?? 'the target')} (k-nearest-neighbour estimator, k = 3, as scikit-learn) and principal components of the standardised features, on ${count(imp.rows)} complete rows of ${sampleNote}.`)];
  if (target) {
    const order = imp.features.map((f, i) => ({ f, v: imp.mi[i] })).sort((a, c) => a.v - c.v);
    const miSrc = source(b, { f: order.map((o) => o.f), mi: order.map((o) => o.v) });
    impTab.push(figure(b, {
      title: `Mutual information with ${target}`, yFactors: order.map((o) => o.f), xLabel: 'mutual information (nats)', xStart: 0,
      height: Math.max(240, 40 + 28 * order.length), tooltips: [['feature', '@f'], ['MI', '@mi{0.000}']],
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
  const [fx, fy] = [features[0], features[1] ?? features[0]];
  let fillColor: unknown;
  let colorMapper: unknown = null;
  const colorChoices = [...features, ...(target && !classification ? [target] : [])];
  const colorDefault = target && !classification ? target : features[0];
  const ranges: Record<string, [number, number]> = {};
  for (const f of colorChoices) {
    const v = (data[f] ?? new Float64Array()) as Float64Array;
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of v) if (!Number.isNaN(x)) { if (x < lo) lo = x; if (x > hi) hi = x; }
    ranges[f] = [lo, hi];
  }
  if (classification) {
    fillColor = { field: '__class', transform: b.bk('CategoricalColorMapper', { factors: classes, palette: classes.map((_, k) => colorOf(k)), nan_color: '#999999' }) };
  } else {
    colorMapper = b.bk('LinearColorMapper', { palette: VIRIDIS, low: ranges[colorDefault][0], high: ranges[colorDefault][1], nan_color: '#cccccc' });
    fillColor = { field: colorDefault, transform: colorMapper };
  }
  const scatterR = glyph(b, rows, 'Scatter', { x: { field: fx }, y: { field: fy }, size: { field: `__size_${features[0]}` }, fill_color: fillColor as never, fill_alpha: 0.6, line_color: null });
  const cross = figure(b, { title: `${fy} against ${fx}`, xLabel: label(fx), yLabel: label(fy), height: 520, tooltips, renderers: [scatterR] });
  const scatterGlyph = b.get(scatterR, 'glyph');
  const units = Object.fromEntries(colorChoices.map((f) => [f, label(f)]));
  const xSel = b.bk('Select', { title: 'x', value: fx, options: features, width: 200 });
  const ySel = b.bk('Select', { title: 'y', value: fy, options: features, width: 200 });
  const sSel = b.bk('Select', { title: 'marker size', value: features[0], options: features, width: 200 });
  const axisArgs = { g: scatterGlyph, xa: b.first(cross, 'below'), ya: b.first(cross, 'left'), title: b.get(cross, 'title'), xs: xSel, ys: ySel, units };
  const retitle = 'title.text = ys.value + " against " + xs.value;';
  pick_js(b, xSel, axisArgs, `g.x = {field: cb_obj.value}; xa.axis_label = units[cb_obj.value]; ${retitle}`);
  pick_js(b, ySel, axisArgs, `g.y = {field: cb_obj.value}; ya.axis_label = units[cb_obj.value]; ${retitle}`);
  pick_js(b, sSel, { g: scatterGlyph }, 'g.size = {field: "__size_" + cb_obj.value};');
  const controls: unknown[] = [xSel, ySel, sSel];
  if (!classification && colorMapper) {
    const cSel = b.bk('Select', { title: 'marker colour', value: colorDefault, options: colorChoices, width: 200 });
    pick_js(b, cSel, { g: scatterGlyph, m: colorMapper, ranges }, 'const f = cb_obj.value; m.low = ranges[f][0]; m.high = ranges[f][1]; g.fill_color = {field: f, transform: m};');
    controls.push(cSel);
    b.set(cross, { right: [b.bk('ColorBar', { color_mapper: colorMapper as never, width: 12 })] });
  } else if (classification) {
    b.set(cross, { right: [b.bk('Legend', { items: [b.bk('LegendItem', { label: { field: '__class' }, renderers: [scatterR] })] })] });
  }
  const crossTab = b.bk('Column', { children: [note(`Each point is a row of ${sampleNote}; marker sizes are six quantile bins of the chosen column.`), b.bk('Row', { children: controls as never }), cross], sizing_mode: 'stretch_width' });

  // ---- Tab 4: pair grid of the top features by MI ----
  const top = imp.features.map((f, i) => ({ f, v: Number.isNaN(imp.mi[i]) ? 0 : imp.mi[i] })).sort((a, c) => c.v - a.v).slice(0, 4).map((o) => o.f);
  const cells: [unknown, number, number][] = [];
  const histSources = new Map<string, unknown>();
  top.forEach((fyy, r) => top.forEach((fxx, c) => {
    const size = 210;
    const xl = r === top.length - 1 ? label(fxx) : undefined;
    const yl = c === 0 ? label(fyy) : undefined;
    let renderers: Renderer[] = [];
    if (r === c) {
      const v = data[fxx] as Float64Array;
      if (classification && classCodes) {
        const range: [number, number] = [ranges[fxx]?.[0] ?? 0, ranges[fxx]?.[1] ?? 1];
        renderers = classes.map((cl, k) => {
          const h = histogram(v.filter((_x, i) => classCodes![i] === k), range);
          return glyph(b, source(b, { left: h.left, right: h.right, count: h.count, cls: h.count.map(() => cl) }), 'Quad', { left: { field: 'left' }, right: { field: 'right' }, top: { field: 'count' }, bottom: 0, fill_color: colorOf(k), fill_alpha: 0.45, line_color: null });
        });
      } else {
        const h = histogram(v);
        const hs = source(b, { left: h.left, right: h.right, count: h.count });
        histSources.set(fxx, hs);
        renderers = [glyph(b, hs as never, 'Quad', { left: { field: 'left' }, right: { field: 'right' }, top: { field: 'count' }, bottom: 0, fill_color: '#1f77b4', fill_alpha: 0.6, line_color: 'white' })];
      }
    } else {
      renderers = [glyph(b, rows, 'Scatter', { x: { field: fxx }, y: { field: fyy }, size: 3, fill_color: (classification ? fillColor : '#1f77b4') as never, fill_alpha: 0.5, line_color: null })];
    }
    const p = figure(b, { xLabel: xl, yLabel: yl, width: size, height: size, renderers, toolbar: false, tooltips: r === c ? [['count', '@count'], ['from', '@left{0.[00]}'], ['to', '@right{0.[00]}']] : undefined });
    cells.push([p, r, c]);
  }));
  const gridChildren: unknown[] = [];
  if (classification) {
    const swatches = classes.map((cl, k) => `<span class="me-3"><span style="display:inline-block;width:12px;height:12px;background:${colorOf(k)};opacity:.8"></span> ${esc(cl)}</span>`).join('');
    gridChildren.push(div(b, `<div class="small" data-testid="grid-legend"><strong>${esc(target ?? 'class')}:</strong> ${swatches}</div>`));
  }
  gridChildren.push(note(`The ${top.length} features with the highest mutual information; histograms on the diagonal (numpy's 'auto' bins)${classification ? ', per class' : ''}; ${sampleNote}.`));
  gridChildren.push(b.bk('GridPlot', { children: cells as never, toolbar: b.bk('Toolbar', { tools: [b.bk('PanTool', {}), b.bk('WheelZoomTool', {}), b.bk('ResetTool', {})] }), toolbar_location: 'right' }));

  const tabs = b.bk('Tabs', {
    tabs: [
      b.bk('TabPanel', { title: 'Summary', child: b.bk('Column', { children: summary as never, sizing_mode: 'stretch_width' }) }),
      b.bk('TabPanel', { title: 'Feature importance', child: b.bk('Column', { children: impTab as never, sizing_mode: 'stretch_width' }) }),
      b.bk('TabPanel', { title: 'Crossfilter', child: crossTab }),
      b.bk('TabPanel', { title: 'Grid plot', child: b.bk('Column', { children: gridChildren as never }) }),
    ],
    sizing_mode: 'stretch_width',
  });
  return b.item(tabs, `Explore ${ds.title}`);
}

/** Attaches a CustomJS callback to a Select's value changes. */
function pick_js(b: DocumentBuilder, select: object, args: Record<string, unknown>, code: string): void {
  b.set(select, { js_property_callbacks: { 'change:value': [b.bk('CustomJS', { args: args as never, code })] } });
}

/** A pie needs no axes or grid: drop them, keep the legend. */
function hideAxes(plot: Plot, b: DocumentBuilder, right: unknown[]): void {
  b.set(plot, {
    below: [], left: [], center: [], right,
    x_range: b.bk('Range1d', { start: -1, end: 1 }), y_range: b.bk('Range1d', { start: -1, end: 1 }),
    match_aspect: true, outline_line_color: null,
  });
}
