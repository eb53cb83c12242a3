// The exploratory-analysis document of one dataset: four tabs (summary, feature importance,
// crossfilter, pair grid) for classification and regression, over numeric and text features.
// Statistics come from SQL over the whole table (the catalog's stats); plots use a uniform sample.
// Dropdowns switch columns in the browser (CustomJS) over data already in the document: no round trip.
// This module builds what the tabs share (eda/context.ts); each tab is a module of eda/.
import { isNumeric, type Dataset, type Sample } from '@enchilada/data';
import { DocumentBuilder, type EmbedItem } from '../bokeh/model.js';
import { PALETTE, count, div, esc, source } from '../bokeh/builders.js';
import { MISSING, categoryCounts, sizeBins } from './eda-analysis.js';
import { crossfilterTab } from './eda/crossfilter.js';
import { gridTab } from './eda/grid.js';
import { importanceTab } from './eda/importance.js';
import { summaryTab } from './eda/summary.js';

export interface EdaInput {
  readonly ds: Dataset;
  readonly sample: Sample;
}

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
    const raw =
      sample.text.get(target) ??
      Array.from(sample.numeric.get(target) ?? [], (v) => (Number.isNaN(v) ? null : String(v)));
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
  if (target && !classification && sample.numeric.has(target))
    data[target] = sample.numeric.get(target) ?? new Float64Array(n);
  if (classCodes) data.__class = Array.from(classCodes, (c) => (c < 0 ? '(missing)' : classes[c]));
  // Text as labels, missing as its own label: a categorical axis has no place for null.
  const factors: Record<string, string[]> = {};
  for (const f of textFeatures) {
    const v = sample.text.get(f) ?? [];
    data[f] = v.map((x) => x ?? MISSING);
    factors[f] = categoryCounts(v, undefined, Infinity).values;
  }
  const rows = source(b, data);
  const sampleNote = sample.sampled
    ? `a uniform sample of ${count(n)} of ${count(ds.rowCount)} rows`
    : `all ${count(n)} rows`;
  const note = (text: string) => div(b, `<p class="small text-body-secondary mb-1">${text}</p>`);

  if (features.length === 0 && textFeatures.length === 0) {
    return b.item(
      div(b, '<p>This dataset has no numeric or categorical text feature columns to explore.</p>'),
      'Explore',
    );
  }
  const ranges: Record<string, [number, number]> = {};
  for (const f of [...features, ...(target && !classification && sample.numeric.has(target) ? [target] : [])]) {
    const v = (data[f] ?? new Float64Array()) as Float64Array;
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of v)
      if (!Number.isNaN(x)) {
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
    ranges[f] = [lo, hi];
  }
  const swatches = classification
    ? classes
        .map(
          (cl, k) =>
            `<span class="me-3"><span style="display:inline-block;width:12px;height:12px;background:${colorOf(k)};opacity:.8"></span> ${esc(cl)}</span>`,
        )
        .join('')
    : '';
  const ctx = {
    b,
    ds,
    sample,
    n,
    label,
    features,
    textColumns,
    identifierLike,
    textFeatures,
    isText,
    classification,
    target,
    classes,
    classCodes,
    colorOf,
    data,
    factors,
    rows,
    sampleNote,
    note,
    swatches,
    ranges,
  };

  const summary = summaryTab(ctx);
  const { children: impTab, imp } = importanceTab(ctx);
  const { tab: crossTab, fillColor } = crossfilterTab(ctx);
  const gridChildren = gridTab(ctx, imp, fillColor);
  const tabs = b.bk('Tabs', {
    tabs: [
      b.bk('TabPanel', {
        title: 'Summary',
        child: b.bk('Column', { children: summary, sizing_mode: 'stretch_width' }),
      }),
      b.bk('TabPanel', {
        title: 'Feature importance',
        child: b.bk('Column', { children: impTab, sizing_mode: 'stretch_width' }),
      }),
      b.bk('TabPanel', { title: 'Crossfilter', child: crossTab }),
      b.bk('TabPanel', { title: 'Grid plot', child: b.bk('Column', { children: gridChildren }) }),
    ],
    sizing_mode: 'stretch_width',
  });
  return b.item(tabs, `Explore ${ds.title}`);
}
