// Tab 3 of the exploratory-analysis document: any column against any other, coloured and sized by
// chosen columns, switched in the browser.
import type { LayoutDOM } from '../../bokeh/model.js';
import { figure, glyph, type Plot } from '../../bokeh/builders.js';
import { MISSING } from '../eda-analysis.js';
import { VIRIDIS, axisSpec, pickJs } from './parts.js';
import type { EdaContext } from './context.js';

/** The tab, and the class colouring (a field with its mapper) the grid plot reuses. */
export function crossfilterTab(ctx: EdaContext): { readonly tab: LayoutDOM; readonly fillColor: unknown } {
  const {
    b,
    label,
    features,
    textFeatures,
    isText,
    classification,
    target,
    classes,
    colorOf,
    factors,
    rows,
    sampleNote,
    note,
    ranges,
  } = ctx;
  const tooltips: [string, string][] = [
    ...features.slice(0, 12).map((f) => [f, `@{${f}}{0.[000]}`] as [string, string]),
    ...textFeatures.slice(0, 6).map((f) => [f, `@{${f}}`] as [string, string]),
  ];
  if (classification) tooltips.push([target ?? 'class', '@__class']);
  else if (target) tooltips.push([target, `@{${target}}{0.[000]}`]);
  // A text column on an axis needs a FactorRange and a categorical scale, which a plot cannot swap
  // in the browser; so there is one plot per pair of axis kinds (numeric or text), and choosing
  // columns shows the plot whose axes fit them. Points on a text axis are jittered across its band.
  type AxisKind = 'num' | 'cat';
  const axisChoices = [...features, ...textFeatures];
  const kindOf = (f: string): AxisKind => (isText.has(f) ? 'cat' : 'num');
  const [fx, fy] = [axisChoices[0], axisChoices[1] ?? axisChoices[0]];
  // Colour: the class (classification) or a numeric column (regression), or any text feature.
  const catMapper = (fs: readonly string[]) =>
    b.bk('CategoricalColorMapper', {
      factors: [...fs],
      palette: fs.map((v, k) => (v === MISSING ? '#999999' : colorOf(k))),
      nan_color: '#999999',
    });
  const colorNames: string[] = [];
  const colorMaps: unknown[] = [];
  let fillColor: unknown;
  let colorMapper: unknown = null;
  const numericColors = classification ? [] : [...features, ...(target && ranges[target] ? [target] : [])];
  const colorDefault = classification
    ? '__class'
    : numericColors.includes(target ?? '')
      ? (target ?? '')
      : (numericColors[0] ?? textFeatures[0]);
  if (classification) {
    const m = catMapper(classes);
    colorNames.push('__class');
    colorMaps.push(m);
    fillColor = { field: '__class', transform: m };
  } else if (numericColors.length > 0) {
    colorMapper = b.bk('LinearColorMapper', {
      palette: VIRIDIS,
      low: ranges[colorDefault][0],
      high: ranges[colorDefault][1],
      nan_color: '#cccccc',
    });
    fillColor = { field: colorDefault, transform: colorMapper };
  }
  for (const f of textFeatures) {
    colorNames.push(f);
    colorMaps.push(catMapper(factors[f]));
  }
  if (fillColor === undefined)
    fillColor = { field: colorDefault, transform: colorMaps[colorNames.indexOf(colorDefault)] };
  const sizeSpec = features.length > 0 ? { field: `__size_${features[0]}` } : 7;
  const kinds = [...new Set(axisChoices.map(kindOf))];
  const views: {
    kx: AxisKind;
    ky: AxisKind;
    plot: Plot;
    g: unknown;
    jx: unknown;
    jy: unknown;
    legend: unknown;
    bar: unknown;
  }[] = [];
  for (const kx of kinds)
    for (const ky of kinds) {
      const on = kx === kindOf(fx) && ky === kindOf(fy);
      // A hidden plot starts on the first columns of its kinds; the callback sets the chosen ones.
      const x0 = on ? fx : (axisChoices.find((f) => kindOf(f) === kx) ?? fx);
      const y0 = on ? fy : (axisChoices.find((f) => kindOf(f) === ky) ?? fy);
      const plot = figure(b, {
        title: `${y0} against ${x0}`,
        xLabel: label(x0),
        yLabel: label(y0),
        xFactors: kx === 'cat' ? factors[x0] : undefined,
        yFactors: ky === 'cat' ? factors[y0] : undefined,
        height: 520,
        tooltips,
      });
      const jx = kx === 'cat' ? b.bk('Jitter', { width: 0.6, range: b.get(plot, 'x_range') as never }) : null;
      const jy = ky === 'cat' ? b.bk('Jitter', { width: 0.6, range: b.get(plot, 'y_range') as never }) : null;
      const r = glyph(b, rows, 'Scatter', {
        x: axisSpec(x0, jx) as never,
        y: axisSpec(y0, jy) as never,
        size: sizeSpec as never,
        fill_color: fillColor as never,
        fill_alpha: 0.6,
        line_color: null,
      });
      // A legend only where a categorical colour can be chosen: it lists one entry per distinct value.
      const legend = colorNames.length
        ? b.bk('Legend', {
            items: [b.bk('LegendItem', { label: { field: colorDefault }, renderers: [r] })],
            visible: colorNames.includes(colorDefault),
          })
        : null;
      const bar = colorMapper
        ? b.bk('ColorBar', {
            color_mapper: colorMapper as never,
            width: 12,
            visible: !colorNames.includes(colorDefault),
          })
        : null;
      b.set(plot, { renderers: [r], right: [bar, legend].filter((m) => m !== null), visible: on });
      views.push({ kx, ky, plot, g: b.get(r, 'glyph'), jx, jy, legend, bar });
    }
  const units = Object.fromEntries(axisChoices.map((f) => [f, label(f)]));
  const axisKind = Object.fromEntries(axisChoices.map((f) => [f, kindOf(f)]));
  const xSel = b.bk('Select', { title: 'x', value: fx, options: axisChoices, width: 200 });
  const ySel = b.bk('Select', { title: 'y', value: fy, options: axisChoices, width: 200 });
  const axisArgs = {
    xs: xSel,
    ys: ySel,
    units,
    axisKind,
    factors,
    plots: views.map((v) => v.plot),
    gs: views.map((v) => v.g),
    kxs: views.map((v) => v.kx),
    kys: views.map((v) => v.ky),
    jxs: views.map((v) => v.jx),
    jys: views.map((v) => v.jy),
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
  pickJs(b, xSel, axisArgs, showAxes);
  pickJs(b, ySel, axisArgs, showAxes);
  const controls: LayoutDOM[] = [xSel, ySel];
  if (features.length > 0) {
    const sSel = b.bk('Select', { title: 'marker size', value: features[0], options: features, width: 200 });
    pickJs(b, sSel, { gs: views.map((v) => v.g) }, 'for (const g of gs) g.size = {field: "__size_" + cb_obj.value};');
    controls.push(sSel);
  }
  const colorOptions: (string | [string, string])[] = [
    ...(classification ? [['__class', target ?? 'class'] as [string, string]] : numericColors),
    ...textFeatures,
  ];
  if (colorOptions.length > 1) {
    const cSel = b.bk('Select', { title: 'marker colour', value: colorDefault, options: colorOptions, width: 200 });
    pickJs(
      b,
      cSel,
      {
        gs: views.map((v) => v.g),
        legends: views.map((v) => v.legend),
        bars: views.map((v) => v.bar),
        m: colorMapper,
        ranges,
        colorNames,
        colorMaps,
      },
      `const f = cb_obj.value, k = colorNames.indexOf(f);
if (k < 0) { m.low = ranges[f][0]; m.high = ranges[f][1]; }
for (const g of gs) g.fill_color = {field: f, transform: k < 0 ? m : colorMaps[k]};
for (const l of legends) if (l) { l.visible = k >= 0; l.items[0].label = {field: f}; }
for (const c of bars) if (c) c.visible = k < 0;`,
    );
    controls.push(cSel);
  }
  const crossTab = b.bk('Column', {
    children: [
      note(
        `Each point is a row of ${sampleNote}${features.length ? '; marker sizes are six quantile bins of the chosen column' : ''}${textFeatures.length ? "; on a text axis points spread at random across their value's band" : ''}.`,
      ),
      b.bk('Row', { children: controls }),
      ...views.map((v) => v.plot),
    ],
    sizing_mode: 'stretch_width',
  });

  return { tab: crossTab, fillColor };
}
