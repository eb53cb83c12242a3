// The Train page's form as a BokehJS document: a checkbox per column (every kind: numbers, text,
// booleans, dates) with its kind, missing share and what preprocessing will do to it, the
// imputation per kind and the encoding of text, a model picker valid for the dataset's task, the train split, one range slider per hyperparameter (shown only for the models
// that use it, with the seed's ranges and steps; regularisation and learning rates on a log scale by
// default, the seed's linear range one choice away), the grid's values and count of fits, and the
// Train button. The button hands the spec to the page (a DOM event); the page posts it to web and
// follows the job. Widgets carry names, so the page can show a running job's settings in them.
import type { ColumnSpec, Dataset } from '@enchilada/data';
import { MODELS, PER_DECADE, logValues, sliderValues, type Hyperparameter } from '@enchilada/ml';
import { FOLDS } from '@enchilada/models';
import { DocumentBuilder, type EmbedItem } from '../bokeh/model.js';
import { div, esc } from '../bokeh/builders.js';

/** What the form shows of a column: its kind, missing share, distinct values and why it is left out by default. */
export interface ColumnChoice {
  readonly name: string;
  readonly kind: 'number' | 'boolean' | 'text' | 'date';
  readonly missing: number;
  readonly distinct: number | null;
  readonly chosen: boolean;
  readonly note: string;
}

export function columnChoices(ds: Dataset): ColumnChoice[] {
  const rows = ds.stats?.rows ?? ds.rowCount;
  const stat = (c: ColumnSpec) =>
    ds.stats?.numeric.find((x) => x.name === c.name) ??
    ds.stats?.categorical.find((x) => x.name === c.name) ??
    ds.stats?.dates.find((x) => x.name === c.name);
  return ds.columns
    .filter((c) => c.name !== ds.target)
    .map((c): ColumnChoice => {
      const st = stat(c);
      const cat = ds.stats?.categorical.find((x) => x.name === c.name);
      const kind = c.type === 'integer' || c.type === 'decimal' ? 'number' : c.type;
      let note = '';
      if (c.role === 'identifier') note = 'marked as an identifier when loaded';
      else if (c.role === 'ignored') note = 'marked as ignored when loaded';
      else if (cat?.identifierLike)
        note = `${cat.distinct.toLocaleString('en-US')} different values in ${rows.toLocaleString('en-US')} rows: an identifier or free text`;
      return {
        name: c.name,
        kind,
        missing: st && rows ? st.missing / rows : 0,
        distinct: cat ? cat.distinct : null,
        chosen: c.role === 'feature' && !cat?.identifierLike,
        note,
      };
    });
}

/**
 * The table of what training does to each chosen column. Plain JavaScript, run by the browser on every
 * change of the form and here once for the first render, so the two can never disagree.
 */
const PLAN_JS = `function planHtml(choices, active, num, ind, cat, enc, rare) {
    const esc = (t) => String(t).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
    const numWhat = { mean: 'the mean', median: 'the median', most_frequent: 'the most frequent value', constant: 'zero' }[num];
    const catWhat = cat === 'constant' ? 'its own category' : 'the most frequent category';
    const rows = active.slice().sort((a, c) => a - c).map((i) => {
      const c = choices[i];
      const gaps = c.missing > 0;
      let what;
      if (c.kind === 'text') {
        what = (enc === 'onehot' ? 'one-hot over its ' + c.distinct + ' values' : 'ordinal codes of its ' + c.distinct + ' values')
          + (rare !== 'none' && enc === 'onehot' ? ', rare ones grouped' : '') + '; missing → ' + catWhat;
      } else if (c.kind === 'date') {
        what = 'year, month, day, weekday (and hour if times are present) as numbers; missing → ' + numWhat;
      } else {
        what = (c.kind === 'boolean' ? '0/1, ' : '') + 'standardised; missing → ' + numWhat + (gaps && ind ? ' + a “was missing” column' : '');
      }
      return '<tr><td><code>' + esc(c.name) + '</code></td><td>' + c.kind + '</td><td class="text-end">' + (100 * c.missing).toFixed(1) + ' %</td><td>' + esc(what) + '</td></tr>';
    }).join('');
    return '<table class="table table-sm small w-auto mb-1" data-testid="column-plan"><thead><tr><th>column</th><th>kind</th><th class="text-end">missing</th><th>what training does</th></tr></thead><tbody>' + rows + '</tbody></table>';
}`;
// The same source runs in the browser (CustomJS) and here, so the page and the server cannot disagree.
// eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call
const planHtml = new Function(`return ${PLAN_JS}`)() as (
  choices: ColumnChoice[],
  active: number[],
  num: string,
  ind: boolean,
  cat: string,
  enc: string,
  rare: string,
) => string;

export function trainDocument(ds: Dataset, maxFits: number): EmbedItem {
  const b = new DocumentBuilder();
  const models = MODELS.filter((m) => m.task === ds.task);
  const choices = columnChoices(ds);
  const features = choices.map((c) => c.name);
  if (!ds.target || !ds.task || models.length === 0) {
    return b.item(
      div(
        b,
        `<p data-testid="train-unavailable">${esc(ds.title)} has no target column, so there is nothing to train. Upload it again and choose a target.</p>`,
      ),
      'Train',
    );
  }
  const defaultModel = ds.task === 'classification' ? 'logistic_regression' : 'linear_regression';
  const first = models.find((m) => m.id === defaultModel) ?? models[0];
  const pct = (v: number) => (v === 0 ? 'complete' : `${(100 * v).toFixed(1)} % missing`);
  const checks = b.bk('CheckboxGroup', {
    labels: choices.map((c) => `${c.name} · ${c.kind} · ${pct(c.missing)}${c.note ? ' · left out: ' + c.note : ''}`),
    active: choices.flatMap((c, i) => (c.chosen ? [i] : [])),
    inline: false,
    css_classes: ['column-choices'],
    name: 'features',
  });
  const numStrategy = b.bk('Select', {
    title: 'Numbers: a missing value becomes',
    value: 'mean',
    width: 260,
    name: 'numeric-strategy',
    options: [
      ['mean', 'the mean'],
      ['median', 'the median'],
      ['most_frequent', 'the most frequent value'],
      ['constant', 'zero'],
    ] as [string, string][],
  });
  const indicator = b.bk('CheckboxGroup', {
    labels: ['add a 0/1 “was missing” column per number with gaps'],
    active: [],
    name: 'add-indicator',
  });
  const catStrategy = b.bk('Select', {
    title: 'Text: a missing value becomes',
    value: 'constant',
    width: 260,
    name: 'categorical-strategy',
    options: [
      ['constant', 'a category of its own'],
      ['most_frequent', 'the most frequent category'],
    ] as [string, string][],
  });
  const encoding = b.bk('Select', {
    title: 'Text is encoded',
    value: 'onehot',
    width: 260,
    name: 'encoding',
    options: [
      ['onehot', 'one-hot (a 0/1 column per category)'],
      ['ordinal', 'ordinal (one column of codes; for trees)'],
    ] as [string, string][],
  });
  const rare = b.bk('Select', {
    title: 'Rare categories',
    value: 'none',
    width: 260,
    name: 'rare',
    options: [
      ['none', 'keep every category'],
      ['5', 'group those seen under 5 times'],
      ['0.01', 'group those under 1 % of rows'],
    ] as [string, string][],
  });
  const plan = div(
    b,
    planHtml(
      choices,
      choices.flatMap((c, i) => (c.chosen ? [i] : [])),
      'mean',
      false,
      'constant',
      'onehot',
      'none',
    ),
    ['column-plan'],
  );
  const pick = b.bk('Select', {
    title: 'Model',
    name: 'model',
    value: first.id,
    options: models.map((m) => [m.id, m.displayName] as [string, string]),
    width: 280,
  });
  const split = b.bk('Slider', {
    title: 'Train split',
    start: 0.05,
    end: 0.95,
    step: 0.05,
    value: 0.8,
    width: 240,
    format: '0.00',
    name: 'train-split',
  });

  // One range slider per hyperparameter name across the models; a model shows the ones it uses.
  // One with a log scale also has a scale picker and a second slider over the powers of ten.
  const hyper = new Map<string, Hyperparameter>();
  for (const m of models) for (const h of m.hyperparameters) hyper.set(h.name, h);
  const sliders: Record<string, object> = {};
  const logSliders: Record<string, object> = {};
  const scales: Record<string, object> = {};
  const shown = (name: string) => first.hyperparameters.some((x) => x.name === name);
  for (const [name, h] of hyper) {
    sliders[name] = b.bk('RangeSlider', {
      title: `${h.label} (${name})`,
      start: h.min,
      end: h.max,
      step: h.step,
      value: [h.min, h.max],
      width: 320,
      name: `range-${name}`,
      format: Number.isInteger(h.min) && Number.isInteger(h.step) ? '0' : '0.0',
      visible: shown(name) && !h.log,
    });
    if (!h.log) continue;
    const [lo, hi] = [Math.log10(h.log.min), Math.log10(h.log.max)];
    logSliders[name] = b.bk('RangeSlider', {
      title: `${h.label} (${name}), log scale`,
      start: lo,
      end: hi,
      step: 1,
      value: [lo, hi],
      width: 320,
      name: `log-range-${name}`,
      visible: shown(name),
      format: b.bk('CustomJSTickFormatter', { code: 'return Number((10 ** tick).toPrecision(3)).toString();' }),
    });
    scales[name] = b.bk('Select', {
      title: `${h.label} scale`,
      value: 'log1',
      width: 320,
      name: `scale-${name}`,
      visible: shown(name),
      options: [
        ...PER_DECADE.map(
          (n) =>
            [`log${n}`, `log: ${n} value${n === 1 ? '' : 's'} per decade (${h.log?.min} … ${h.log?.max})`] as [
              string,
              string,
            ],
        ),
        ['linear', `linear: the seed's ${h.min} … ${h.max} in steps of ${h.step}`],
      ],
    });
  }
  const uses = Object.fromEntries(models.map((m) => [m.id, m.hyperparameters.map((h) => h.name)]));
  const values = Object.fromEntries([...hyper].map(([k, h]) => [k, sliderValues(h)]));
  const logVals = Object.fromEntries(
    [...hyper].flatMap(([k, h]) =>
      h.log
        ? [[k, Object.fromEntries(PER_DECADE.map((n) => [n, logValues(h.log?.min ?? 1, h.log?.max ?? 1, n)]))]]
        : [],
    ),
  );
  const labels = Object.fromEntries([...hyper].map(([k, h]) => [k, h.label]));
  // The first count and grid are written here (each slider's default: log, one per decade, where it
  // has one); the callbacks keep them current as the form changes.
  const firstGrid = Object.fromEntries(
    first.hyperparameters.map((h) => [h.name, h.log ? logValues(h.log.min, h.log.max, 1) : sliderValues(h)]),
  );
  const firstCandidates = Object.values(firstGrid).reduce((p, v) => p * v.length, 1);
  const firstFits = firstCandidates * FOLDS;
  const gridHtml = (g: Record<string, number[]>) =>
    `<div class="small text-body-secondary" data-testid="grid-values" data-grid="${esc(JSON.stringify(g))}">${
      Object.entries(g)
        .map(([k, v]) => `${esc(labels[k] ?? k)}: ${v.join(', ')}`)
        .join('<br>') || 'nothing to tune'
    }</div>`;
  const count = div(
    b,
    `<p class="mb-0" data-testid="fit-count" data-fits="${firstFits}">${firstCandidates} ${firstCandidates === 1 ? 'candidate' : 'candidates'} × ${FOLDS} folds = <strong>${firstFits} fits</strong>${firstFits > maxFits ? ` <span class="text-danger">— above the limit of ${maxFits} fits: narrow a range</span>` : ''}</p>${gridHtml(firstGrid)}`,
    ['fit-count'],
  );
  const button = b.bk('Button', {
    label: 'Train',
    button_type: 'primary',
    width: 160,
    css_classes: ['train-button'],
    name: 'train',
    disabled: firstFits > maxFits || features.length === 0,
  });
  const none = div(b, '');
  const args = {
    checks,
    pick,
    split,
    sliders,
    logSliders,
    scales,
    uses,
    values,
    logVals,
    labels,
    count,
    button,
    features,
    dataset: ds.id,
    maxFits,
    none,
    folds: FOLDS,
    numStrategy,
    indicator,
    catStrategy,
    encoding,
    rare,
    plan,
    choices: choices.map((c) => ({ ...c })),
  };
  // Shared by every callback: the grid the form describes, and the fit count it implies.
  const grid = `
    const used = uses[pick.value] || [];
    const scaleOf = (k) => (scales[k] ? scales[k].value : 'linear');
    for (const k of Object.keys(sliders)) {
      const on = used.includes(k);
      const log = scaleOf(k) !== 'linear';
      sliders[k].visible = on && !log;
      if (logSliders[k]) { logSliders[k].visible = on && log; scales[k].visible = on; }
    }
    let candidates = 1;
    const ranges = {};
    const chosenGrid = {};
    for (const k of used) {
      let vals;
      if (scaleOf(k) === 'linear') {
        const [lo, hi] = sliders[k].value;
        vals = values[k].filter((v) => v >= lo - 1e-9 && v <= hi + 1e-9);
        ranges[k] = {min: lo, max: hi, scale: 'linear'};
      } else {
        const per = Number(scaleOf(k).slice(3));
        if (Math.abs(logSliders[k].step - 1 / per) > 1e-12) logSliders[k].step = 1 / per;
        const [a, z] = logSliders[k].value;
        // In powers of ten, with room for the three-digit rounding of the values (under 0.001).
        vals = logVals[k][per].filter((v) => Math.log10(v) >= a - 1e-3 && Math.log10(v) <= z + 1e-3);
        // The bounds sent are the first and last values shown, so the server searches exactly these.
        ranges[k] = {min: vals.length ? vals[0] : 10 ** a, max: vals.length ? vals[vals.length - 1] : 10 ** z, scale: 'log', perDecade: per};
      }
      candidates *= vals.length;
      chosenGrid[k] = vals;
    }
    const gridEsc = (t) => String(t).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
    const gridText = Object.keys(chosenGrid).map((k) => gridEsc(labels[k] || k) + ': ' + (chosenGrid[k].length ? chosenGrid[k].join(', ') : 'none')).join('<br>') || 'nothing to tune';
    const fits = candidates * folds;
    const chosen = checks.active.length;
    let msg = candidates + (candidates === 1 ? ' candidate' : ' candidates') + ' × ' + folds + ' folds = <strong>' + fits + ' fits</strong>';
    let ok = fits > 0 && fits <= maxFits && chosen > 0;
    if (fits > maxFits) msg += ' <span class="text-danger">— above the limit of ' + maxFits + ' fits: narrow a range</span>';
    if (candidates === 0) msg += ' <span class="text-danger">— a range holds no value</span>';
    if (chosen === 0) msg += ' <span class="text-danger">— choose at least one feature</span>';
    count.text = '<p class="mb-0" data-testid="fit-count" data-fits="' + fits + '">' + msg + '</p>'
      + '<div class="small text-body-secondary" data-testid="grid-values" data-grid="' + gridEsc(JSON.stringify(chosenGrid)) + '">' + gridText + '</div>';
    button.disabled = !ok;
    plan.text = planHtml(choices, checks.active, numStrategy.value, indicator.active.length > 0, catStrategy.value, encoding.value, rare.value);
    const pre = { numericStrategy: numStrategy.value, addIndicator: indicator.active.length > 0, categoricalStrategy: catStrategy.value, encoding: encoding.value,
      minFrequency: rare.value === 'none' ? null : Number(rare.value) };
  `;
  const update = b.bk('CustomJS', {
    args: args,
    code: `${PLAN_JS}
${grid}`,
  });
  const submit = b.bk('CustomJS', {
    args: args,
    code: `${PLAN_JS}
${grid}
      if (!ok) return;
      const spec = { dataset, model: pick.value, features: checks.active.slice().sort((a, c) => a - c).map((i) => features[i]), trainFraction: Math.round(split.value * 100) / 100, ranges, preprocessing: pre };
      window.dispatchEvent(new CustomEvent('enchilada:train', { detail: spec }));`,
  });
  for (const w of [
    checks,
    indicator,
    pick,
    split,
    numStrategy,
    catStrategy,
    encoding,
    rare,
    ...Object.values(sliders),
    ...Object.values(logSliders),
    ...Object.values(scales),
  ]) {
    const prop = w === checks || w === indicator ? 'change:active' : 'change:value';
    b.set(w, { js_property_callbacks: { [prop]: [update] } });
  }
  b.set(button, { js_event_callbacks: { button_click: [submit] } });
  // The count shows at once: the document runs the update when it is first rendered.
  const sliderList = [...hyper.keys()].flatMap((k) =>
    scales[k] ? [scales[k], logSliders[k], sliders[k]] : [sliders[k]],
  );
  const root = b.bk('Column', {
    children: [
      // the model picker stays the form's first Select
      b.bk('Row', { children: [pick, split] }),
      div(
        b,
        `<h2 class="h6 mt-2 mb-1">Features of ${esc(ds.title)}</h2><p class="small text-body-secondary mb-1">Target: <code>${esc(ds.target)}</code> (${esc(ds.task)}). Every column can be a feature: numbers are standardised, text is encoded, dates become their parts, and missing values are imputed inside each cross-validation fold. Rows without a target are left out.</p>`,
      ),
      checks,
      div(b, '<h2 class="h6 mt-2 mb-0">Missing values and text</h2>'),
      b.bk('Row', { children: [numStrategy, catStrategy] }),
      b.bk('Row', { children: [encoding, rare] }),
      indicator,
      plan,
      div(
        b,
        '<h2 class="h6 mt-2 mb-0">Hyperparameter ranges</h2><p class="small text-body-secondary mb-1">The grid is every slider value inside each range. Regularisation (C, alpha) and learning rates are searched on a log scale by default: their effect depends on the order of magnitude.</p>',
      ),
      b.bk('Column', { children: sliderList as never }),
      count,
      button,
    ],
    sizing_mode: 'stretch_width',
  });
  return b.item(root, 'Train');
}
