// The Train page's form as a BokehJS document: feature checkboxes, a model picker valid for the
// dataset's task, the train split, one range slider per hyperparameter (shown only for the models
// that use it, with the seed's ranges and steps), a live count of fits, and the Train button. The
// button hands the spec to the page (a DOM event); the page posts it to web and follows the job.
import { isNumeric, type Dataset } from '@enchilada/data';
import { MODELS, sliderValues } from '@enchilada/ml';
import { DocumentBuilder, type EmbedItem } from '../bokeh/model.js';
import { div, esc } from '../bokeh/builders.js';

export function trainDocument(ds: Dataset, maxFits: number): EmbedItem {
  const b = new DocumentBuilder();
  const models = MODELS.filter((m) => m.task === ds.task);
  const features = ds.columns.filter((c) => c.role === 'feature' && isNumeric(c.type)).map((c) => c.name);
  if (!ds.target || !ds.task || models.length === 0) {
    return b.item(div(b, `<p data-testid="train-unavailable">${esc(ds.title)} has no target column, so there is nothing to train. Upload it again and choose a target.</p>`), 'Train');
  }
  const defaultModel = ds.task === 'classification' ? 'logistic_regression' : 'linear_regression';
  const first = models.find((m) => m.id === defaultModel) ?? models[0];
  const checks = b.bk('CheckboxGroup', { labels: features, active: features.map((_, i) => i), inline: features.length <= 6 });
  const pick = b.bk('Select', { title: 'Model', value: first.id, options: models.map((m) => [m.id, m.displayName] as [string, string]), width: 280 });
  const split = b.bk('Slider', { title: 'Train split', start: 0.05, end: 0.95, step: 0.05, value: 0.8, width: 240, format: '0.00' });

  // One range slider per hyperparameter name across the models; a model shows the ones it uses.
  const hyper = new Map<string, { label: string; min: number; max: number; step: number; values: number[] }>();
  for (const m of models) for (const h of m.hyperparameters) hyper.set(h.name, { label: h.label, min: h.min, max: h.max, step: h.step, values: sliderValues(h) });
  const sliders: Record<string, object> = {};
  for (const [name, h] of hyper) {
    sliders[name] = b.bk('RangeSlider', {
      title: `${h.label} (${name})`, start: h.min, end: h.max, step: h.step, value: [h.min, h.max], width: 320,
      format: Number.isInteger(h.min) && Number.isInteger(h.step) ? '0' : '0.0', visible: first.hyperparameters.some((x) => x.name === name),
    });
  }
  const uses = Object.fromEntries(models.map((m) => [m.id, m.hyperparameters.map((h) => h.name)]));
  const values = Object.fromEntries([...hyper].map(([k, h]) => [k, h.values]));
  // The first count is written here; the callbacks keep it current as the form changes.
  const firstCandidates = first.hyperparameters.reduce((p, h) => p * sliderValues(h).length, 1);
  const firstFits = firstCandidates * 5;
  const count = div(b, `<p class="mb-0" data-testid="fit-count" data-fits="${firstFits}">${firstCandidates} ${firstCandidates === 1 ? 'candidate' : 'candidates'} × 5 folds = <strong>${firstFits} fits</strong>${firstFits > maxFits ? ` <span class="text-danger">— above the limit of ${maxFits} fits: narrow a range</span>` : ''}</p>`, ['fit-count']);
  const button = b.bk('Button', { label: 'Train', button_type: 'primary', width: 160, css_classes: ['train-button'], disabled: firstFits > maxFits || features.length === 0 });
  const none = div(b, '');
  const args = { checks, pick, split, sliders, uses, values, count, button, features, dataset: ds.id, maxFits, none };
  // Shared by every callback: the grid the form describes, and the fit count it implies.
  const grid = `
    const used = uses[pick.value] || [];
    for (const k of Object.keys(sliders)) sliders[k].visible = used.includes(k);
    let candidates = 1;
    const ranges = {};
    for (const k of used) {
      const [lo, hi] = sliders[k].value;
      const n = values[k].filter((v) => v >= lo - 1e-9 && v <= hi + 1e-9).length;
      candidates *= n;
      ranges[k] = {min: lo, max: hi};
    }
    const fits = candidates * 5;
    const chosen = checks.active.length;
    let msg = candidates + (candidates === 1 ? ' candidate' : ' candidates') + ' × 5 folds = <strong>' + fits + ' fits</strong>';
    let ok = fits > 0 && fits <= maxFits && chosen > 0;
    if (fits > maxFits) msg += ' <span class="text-danger">— above the limit of ' + maxFits + ' fits: narrow a range</span>';
    if (candidates === 0) msg += ' <span class="text-danger">— a range holds no value</span>';
    if (chosen === 0) msg += ' <span class="text-danger">— choose at least one feature</span>';
    count.text = '<p class="mb-0" data-testid="fit-count" data-fits="' + fits + '">' + msg + '</p>';
    button.disabled = !ok;
  `;
  const update = b.bk('CustomJS', { args: args as never, code: grid });
  const submit = b.bk('CustomJS', {
    args: args as never,
    code: `${grid}
      if (!ok) return;
      const spec = { dataset, model: pick.value, features: checks.active.map((i) => features[i]), trainFraction: Math.round(split.value * 100) / 100, ranges };
      window.dispatchEvent(new CustomEvent('enchilada:train', { detail: spec }));`,
  });
  for (const w of [checks, pick, split, ...Object.values(sliders)]) {
    const prop = w === checks ? 'change:active' : 'change:value';
    b.set(w, { js_property_callbacks: { [prop]: [update] } });
  }
  b.set(button, { js_event_callbacks: { button_click: [submit] } });
  // The count shows at once: the document runs the update when it is first rendered.
  const sliderList = [...hyper.keys()].map((k) => sliders[k]);
  const root = b.bk('Column', {
    children: [
      div(b, `<h2 class="h6 mb-1">Features of ${esc(ds.title)}</h2><p class="small text-body-secondary mb-1">Target: <code>${esc(ds.target)}</code> (${esc(ds.task)}). Only numeric features can be used.</p>`),
      checks,
      b.bk('Row', { children: [pick, split] }),
      div(b, '<h2 class="h6 mt-2 mb-0">Hyperparameter ranges</h2><p class="small text-body-secondary mb-1">The grid is every slider value inside each range.</p>'),
      b.bk('Column', { children: sliderList as never }),
      count, button,
    ],
    sizing_mode: 'stretch_width',
  });
  return b.item(root, 'Train');
}
