// The Explain document of one model (issue 18): global importance (mean |contribution| per
// original column), a summary (beeswarm) plot, a dependence plot per column coloured by its
// strongest interaction, and partial dependence with ICE curves, all from a sample of at most 2,000
// test rows explained by the model's stored explainer. The per-row waterfall and the what-if form
// are the page's own (web/public/explain.js), answered by the explain-row route.
import type { ModelDetail } from '@enchilada/models';
import { DocumentBuilder, type EmbedItem, type LayoutDOM } from '../bokeh/model.js';
import { count, div, esc, figure, glyph, source } from '../bokeh/builders.js';
import { SHAP_BUDGET_MS, type ColumnInfo, type ExplainData, type RawValue } from '../explain/explain-data.js';

const UNITS: Record<string, string> = {
  probability: 'probability',
  'log-odds': 'log-odds',
  logit: 'softmax logit (raw score)',
  decision: 'decision value',
  target: 'target units',
};
const METHOD: Record<string, string> = {
  'tree-shap': 'exact path-dependent TreeSHAP',
  'linear-shap': 'exact linear SHAP (feature independence, against the training mean)',
  'sampling-shap':
    'permutation-sampled SHAP against a background sample of training rows (each value has a standard error; the what-if panel shows it)',
  'voting-shap':
    "the mean of its members' SHAP values in probability space (soft voting averages their probabilities, and SHAP values are linear in the output; a member explained in log-odds enters with its contributions rescaled to its probability)",
};
/** Columns shown in the summary plot (the most important ones). */
const SUMMARY_COLUMNS = 15;
const LOW = [0, 139, 251];
const HIGH = [255, 0, 82];
const MISSING = '#bbbbbb';

const r4 = (v: number) => (Number.isFinite(v) ? Math.round(v * 10000) / 10000 : v);

/** Low (blue) to high (red), as shap's summary plot colours values. */
function shade(t: number): string {
  const c = LOW.map((l, i) => Math.round(l + (HIGH[i] - l) * Math.min(1, Math.max(0, t))));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Dates on an axis: fractional years. */
const yearOf = (ms: number) => {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  return y + (ms - Date.UTC(y, 0, 1)) / (Date.UTC(y + 1, 0, 1) - Date.UTC(y, 0, 1));
};

/** A column's values as positions in [0, 1] for colouring: percentiles 5–95 of numbers, category order of the levels. */
function scaled(c: ColumnInfo, values: readonly RawValue[]): (number | null)[] {
  if (c.kind === 'categorical') {
    const levels = levelOrder(c, values);
    const k = Math.max(1, levels.length - 1);
    return values.map((v) =>
      v === null ? null : (levels.indexOf(String(v)) < 0 ? levels.length : levels.indexOf(String(v))) / k,
    );
  }
  const nums = values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  if (!nums.length) return values.map(() => null);
  const lo = nums[Math.floor(0.05 * (nums.length - 1))];
  const hi = nums[Math.ceil(0.95 * (nums.length - 1))];
  return values.map((v) => (typeof v !== 'number' ? null : hi > lo ? (v - lo) / (hi - lo) : 0.5));
}

/** The categories in the order the plots use: the model's levels, then any others seen. */
function levelOrder(c: ColumnInfo, values: readonly RawValue[]): string[] {
  const out = [...(c.levels ?? [])];
  for (const v of values) if (v !== null && !out.includes(String(v))) out.push(String(v));
  return out;
}

function text(c: ColumnInfo, v: RawValue): string {
  if (v === null) return '(blank)';
  if (c.kind === 'date' && typeof v === 'number') return new Date(v).toISOString().slice(0, 10);
  return typeof v === 'number' ? String(r4(v)) : v;
}

/** x of a value in the dependence and PDP plots: the number, a date's fractional year, a category's position. */
function xOf(c: ColumnInfo, levels: readonly string[], v: RawValue | string): number {
  if (v === null) return NaN;
  if (c.kind === 'categorical') return levels.indexOf(String(v));
  return c.kind === 'date' ? yearOf(Number(v)) : Number(v);
}

export function explainDocument(m: ModelDetail, d: ExplainData): EmbedItem {
  const b = new DocumentBuilder();
  const blocks: LayoutDOM[] = [];
  const cols = d.columns;
  const n = d.sample.length;
  const units = UNITS[d.units] ?? d.units;
  const explained =
    d.explainedClass === null
      ? `the predicted <code>${esc(m.target)}</code> (${esc(units)})`
      : `the ${esc(units)} of class <code>${esc(d.explainedClass)}</code>${d.units === 'probability' ? '' : " (the predicted class's probability is in the row view above)"}`;
  blocks.push(
    div(
      b,
      `<div class="small" data-testid="explain-summary">Contributions of each original column to ${explained}, by ${esc(METHOD[d.method] ?? d.method)}.
    A row's base value plus its contributions is the model's output; the base value here is <strong>${r4(d.baseValue)}</strong>.<br>
    <span data-testid="explain-sample">The global plots use <strong>${count(n)}</strong> of the ${count(d.testRows)} test rows${n < d.testRows ? ', spread evenly over them' : ' (all of them)'} (at most ${count(2000)}${d.method === 'sampling-shap' ? `; ${count(400)} for sampled SHAP, which costs a few hundred model calls a row` : ''}; fewer when explaining them would take more than ${SHAP_BUDGET_MS / 1000} s).</span>
    In the summary and dependence plots, colour is a column's value: <span style="color:rgb(0,139,251)">■ low</span> → <span style="color:rgb(255,0,82)">■ high</span>, <span style="color:#bbbbbb">■ blank</span> (categories in the model's order).
    Built in ${((d.ms.shap + d.ms.interactions + d.ms.pdp) / 1000).toFixed(1)} s (SHAP ${d.ms.shap} ms, interactions ${d.ms.interactions} ms, partial dependence ${d.ms.pdp} ms).</div>`,
    ),
  );

  // Global importance: mean |contribution|, largest on top.
  const order = cols.map((c, j) => ({ f: c.name, v: d.importance[j], j })).sort((a, c) => a.v - c.v);
  blocks.push(
    figure(b, {
      title: `Global importance: mean |contribution| over ${count(n)} test rows (${units})`,
      yFactors: order.map((o) => o.f),
      xStart: 0,
      xLabel: `mean |contribution| (${units})`,
      height: Math.max(200, 50 + 26 * order.length),
      tooltips: [
        ['column', '@f'],
        ['mean |contribution|', '@v{0.0000}'],
      ],
      renderers: [
        glyph(b, source(b, { f: order.map((o) => o.f), v: order.map((o) => o.v) }), 'HBar', {
          y: { field: 'f' },
          right: { field: 'v' },
          left: 0,
          height: 0.7,
          fill_color: '#008bfb',
          line_color: null,
        }),
      ],
    }),
  );

  // Summary (beeswarm): per column, each row's contribution, stacked where they crowd.
  const top = order.slice(-SUMMARY_COLUMNS);
  const sw: { x: number[]; y: [string, number][]; color: string[]; value: string[]; f: string[] } = {
    x: [],
    y: [],
    color: [],
    value: [],
    f: [],
  };
  for (const o of top) {
    const c = cols[o.j];
    const xs = d.contributions[o.j];
    const t = scaled(c, d.rawValues[o.j]);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of xs) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const bins = 60;
    const binOf = (v: number) => (hi > lo ? Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins)) : 0);
    const fill = new Int32Array(bins);
    for (const v of xs) fill[binOf(v)]++;
    const most = Math.max(1, ...fill);
    const step = 0.8 / most;
    const used = new Int32Array(bins);
    for (let i = 0; i < xs.length; i++) {
      const k = used[binOf(xs[i])]++;
      const off = (k % 2 === 0 ? 1 : -1) * Math.ceil(k / 2) * step;
      sw.x.push(xs[i]);
      sw.y.push([c.name, Math.max(-0.4, Math.min(0.4, off))]);
      const ti = t[i];
      sw.color.push(ti === null ? MISSING : shade(ti));
      sw.value.push(text(c, d.rawValues[o.j][i]));
      sw.f.push(c.name);
    }
  }
  const summary = figure(b, {
    title: `Summary: each test row's contribution per column, coloured by the column's value (blue low → red high)`,
    yFactors: top.map((o) => o.f),
    xLabel: `contribution (${units})`,
    height: Math.max(240, 60 + 40 * top.length),
    tooltips: [
      ['column', '@f'],
      ['value', '@value'],
      ['contribution', '@x{0.0000}'],
    ],
    renderers: [
      glyph(b, source(b, sw), 'Scatter', {
        x: { field: 'x' },
        y: { field: 'y' },
        size: 4,
        fill_color: { field: 'color' },
        line_color: null,
        fill_alpha: 0.8,
      }),
    ],
  });
  b.set(summary, {
    center: [
      ...(b.get(summary, 'center') as unknown[]),
      b.bk('Span', { location: 0, dimension: 'height', line_color: '#999', line_width: 1 }),
    ],
  });
  blocks.push(summary);

  // Dependence: a column's value against its contribution, coloured by its strongest interaction.
  const byName = new Map(cols.map((c, j) => [c.name, j]));
  const depData: Record<string, { data: Record<string, unknown[]>; title: string; xlabel: string; note: string }> = {};
  cols.forEach((c, j) => {
    const levels = levelOrder(c, d.rawValues[j]);
    const inter = d.interactions[j];
    const w = inter.with === null ? undefined : byName.get(inter.with);
    const wc = w === undefined ? null : cols[w];
    const tw = w === undefined || wc === null ? null : scaled(wc, d.rawValues[w]);
    let seed = 7 + j;
    const jitter = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed / 2147483647 - 0.5) * 0.5;
    };
    const data: Record<string, unknown[]> = { x: [], y: [], color: [], value: [], iv: [] };
    for (let i = 0; i < n; i++) {
      const v = d.rawValues[j][i];
      const x = xOf(c, levels, v);
      if (!Number.isFinite(x)) continue;
      data.x.push(c.kind === 'categorical' ? x + jitter() : x);
      data.y.push(d.contributions[j][i]);
      const t = tw ? tw[i] : 0.5;
      data.color.push(tw === null ? '#1f77b4' : t === null ? MISSING : shade(t));
      data.value.push(text(c, v));
      data.iv.push(wc && w !== undefined ? text(wc, d.rawValues[w][i]) : '');
    }
    const how =
      inter.method === 'tree-shap-interaction'
        ? `the largest mean |TreeSHAP interaction value| with it (over ${d.interactionRows} sample rows)`
        : `the contributions most correlated with its own (${esc(d.interactionNote ?? 'no interaction values')})`;
    const blanks = n - data.x.length;
    const note =
      (wc
        ? `Coloured by <code>${esc(wc.name)}</code> (blue low → red high), the column with ${how}: ${r4(inter.strength)}.`
        : 'Not coloured: no other column interacts with this one.') +
      (c.kind === 'categorical'
        ? ` Categories on x (jittered): ${levels
            .slice(0, 30)
            .map((l, k) => `${k} = <code>${esc(l)}</code>`)
            .join(', ')}${levels.length > 30 ? ', …' : ''}.`
        : '') +
      (c.kind === 'date' ? ' Dates on x as fractional years.' : '') +
      (blanks > 0 ? ` ${count(blanks)} rows with a blank value are not drawn.` : '');
    depData[c.name] = {
      data,
      title: `Dependence: ${c.name} against its contribution`,
      xlabel: c.kind === 'categorical' ? `${c.name} (category)` : c.kind === 'date' ? `${c.name} (year)` : c.name,
      note,
    };
  });
  const first = order[order.length - 1]?.f ?? cols[0]?.name ?? '';
  const depSrc = source(b, depData[first]?.data ?? { x: [], y: [] });
  const depPlot = figure(b, {
    title: depData[first]?.title,
    xLabel: depData[first]?.xlabel,
    yLabel: `contribution (${units})`,
    height: 380,
    tooltips: [
      ['value', '@value'],
      ['contribution', '@y{0.0000}'],
      ['colouring column', '@iv'],
    ],
    renderers: [
      glyph(b, depSrc, 'Scatter', {
        x: { field: 'x' },
        y: { field: 'y' },
        size: 5,
        fill_color: { field: 'color' },
        line_color: null,
        fill_alpha: 0.75,
      }),
    ],
  });
  const depNote = div(b, `<div class="small" data-testid="dependence-note">${depData[first]?.note ?? ''}</div>`);
  const names = [...order].reverse().map((o) => o.f);
  const depSelect = b.bk('Select', {
    title: 'Dependence of column',
    value: first,
    options: names,
    width: 260,
    name: 'dependence-column',
  });
  b.set(depSelect, {
    js_property_callbacks: {
      'change:value': [
        b.bk('CustomJS', {
          args: { src: depSrc, plot: depPlot, axis: b.first(depPlot, 'below'), note: depNote, all: depData },
          code: 'const d = all[cb_obj.value]; src.data = d.data; plot.title.text = d.title; axis.axis_label = d.xlabel; note.text = \'<div class="small" data-testid="dependence-note">\' + d.note + \'</div>\';',
        }),
      ],
    },
  });
  blocks.push(div(b, '<h3 class="h6 mt-3 mb-0">Dependence plot</h3>'), depSelect, depPlot, depNote);

  // Partial dependence with ICE curves.
  const pdpData: Record<
    string,
    {
      ice: { xs: number[][]; ys: number[][]; row: number[] };
      pd: { x: number[]; y: number[]; g: string[] };
      title: string;
      xlabel: string;
      note: string;
    }
  > = {};
  cols.forEach((c, j) => {
    const p = d.pdp[j];
    const levels = c.kind === 'categorical' ? p.grid.map(String) : [];
    const gx = p.grid.map((g) => xOf(c, levels, g));
    pdpData[c.name] = {
      ice: { xs: p.ice.map(() => gx), ys: p.ice.map((r) => [...r]), row: [...p.iceRows] },
      pd: { x: gx, y: [...p.pd], g: p.grid.map((g) => text(c, g)) },
      title: `Partial dependence of the ${d.pdpOutput} on ${c.name}, with ${p.ice.length} ICE curves`,
      xlabel: c.kind === 'categorical' ? `${c.name} (category)` : c.kind === 'date' ? `${c.name} (year)` : c.name,
      note:
        `Each grey line is one test row with <code>${esc(c.name)}</code> set to each grid value and every other column kept (ICE); the thick line is their mean over ${Math.min(300, n)} sample rows (partial dependence), predicted by the model itself.` +
        (c.kind === 'categorical'
          ? ` Categories on x: ${levels.map((l, k) => `${k} = <code>${esc(l)}</code>`).join(', ')}.`
          : ` Grid: ${p.grid.length} values over the sample's range.`),
    };
  });
  const iceSrc = source(b, pdpData[first]?.ice ?? { xs: [], ys: [] });
  const pdSrc = source(b, pdpData[first]?.pd ?? { x: [], y: [] });
  const pdpPlot = figure(b, {
    title: pdpData[first]?.title,
    xLabel: pdpData[first]?.xlabel,
    yLabel: d.pdpOutput,
    height: 380,
    tooltips: [
      ['value', '@g'],
      ['mean output', '@y{0.0000}'],
    ],
    renderers: [
      b.bk('GlyphRenderer', {
        data_source: iceSrc,
        glyph: b.bk('MultiLine', {
          xs: { field: 'xs' },
          ys: { field: 'ys' },
          line_color: '#888',
          line_alpha: 0.35,
          line_width: 1,
        }),
        view: b.bk('CDSView', {}),
      }),
      glyph(b, pdSrc, 'Line', { x: { field: 'x' }, y: { field: 'y' }, line_color: '#d62728', line_width: 3 }),
      glyph(b, pdSrc, 'Scatter', {
        x: { field: 'x' },
        y: { field: 'y' },
        size: 7,
        fill_color: '#d62728',
        line_color: 'white',
      }),
    ],
  });
  const pdpNote = div(b, `<div class="small" data-testid="pdp-note">${pdpData[first]?.note ?? ''}</div>`);
  const pdpSelect = b.bk('Select', {
    title: 'Partial dependence on column',
    value: first,
    options: names,
    width: 260,
    name: 'pdp-column',
  });
  b.set(pdpSelect, {
    js_property_callbacks: {
      'change:value': [
        b.bk('CustomJS', {
          args: { ice: iceSrc, pd: pdSrc, plot: pdpPlot, axis: b.first(pdpPlot, 'below'), note: pdpNote, all: pdpData },
          code: 'const d = all[cb_obj.value]; ice.data = d.ice; pd.data = d.pd; plot.title.text = d.title; axis.axis_label = d.xlabel; note.text = \'<div class="small" data-testid="pdp-note">\' + d.note + \'</div>\';',
        }),
      ],
    },
  });
  blocks.push(div(b, '<h3 class="h6 mt-3 mb-0">Partial dependence and ICE</h3>'), pdpSelect, pdpPlot, pdpNote);
  return b.item(b.bk('Column', { children: blocks, sizing_mode: 'stretch_width' }), `Explain model ${m.id}`);
}
