// The Explain page's per-row view and what-if form (issue 18): a test row chosen by index or found
// by a value is explained by viz (/viz/documents/explain-row), drawn as a waterfall from the base
// value to the model's output; editing any field of the form explains the edited row at once.
(function () {
  'use strict';
  var root = document.getElementById('whatif');
  if (!root) return;
  var model = root.getAttribute('data-model');
  var form = document.getElementById('whatif-form');
  var predictionEl = document.getElementById('whatif-prediction');
  var waterfallEl = document.getElementById('whatif-waterfall');
  var latencyEl = document.getElementById('whatif-latency');
  var errorEl = document.getElementById('whatif-error');
  var findResults = document.getElementById('find-results');
  var columns = [];
  var original = null; // the test row's values, for Reset
  var seq = 0;
  var pending = null;
  var timer = null;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      e.setAttribute(k, attrs[k]);
    });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmt(v) {
    if (typeof v !== 'number') return String(v);
    var a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Math.round(v * 10000) / 10000);
  }
  function showError(text) {
    errorEl.textContent = text;
    errorEl.classList.toggle('d-none', !text);
  }

  async function ask(query) {
    if (pending) pending.abort();
    pending = new AbortController();
    var res = await fetch('/viz/documents/explain-row?model=' + model + '&' + query, {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
      signal: pending.signal,
    });
    if (res.status === 401) {
      window.location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search);
      throw new Error('signed out');
    }
    var body = null;
    try {
      body = await res.json();
    } catch (e) {
      /* handled below */
    }
    if (!res.ok || !body)
      throw new Error((body && body.message) || 'The row could not be explained (HTTP ' + res.status + ').');
    return body;
  }

  function fieldFor(c, value) {
    var id = 'wi-' + columns.indexOf(c);
    var wrap = el('div', { class: 'mb-1' });
    var label = el('label', { class: 'form-label mb-0', for: id }, c.name);
    label.appendChild(
      el('span', { class: 'text-body-secondary' }, ' (' + (c.kind === 'categorical' ? 'category' : c.kind) + ')'),
    );
    wrap.appendChild(label);
    var input;
    if (c.kind === 'categorical') {
      input = el('select', { class: 'form-select form-select-sm', id: id, name: c.name, 'data-column': c.name });
      input.appendChild(el('option', { value: '' }, '(blank)'));
      var levels = (c.levels || []).slice();
      if (value !== null && levels.indexOf(String(value)) < 0) levels.push(String(value));
      levels.forEach(function (l) {
        input.appendChild(el('option', { value: l }, l));
      });
      input.value = value === null ? '' : String(value);
    } else {
      input = el('input', {
        class: 'form-control form-control-sm',
        id: id,
        name: c.name,
        'data-column': c.name,
        type: c.kind === 'numeric' ? 'number' : 'text',
        step: 'any',
        placeholder: c.kind === 'date' ? 'YYYY-MM-DD (blank allowed)' : 'blank allowed',
      });
      input.value = value === null ? '' : String(value);
    }
    input.addEventListener('input', schedule);
    input.addEventListener('change', schedule);
    wrap.appendChild(input);
    return wrap;
  }

  function buildForm(values) {
    form.textContent = '';
    columns.forEach(function (c) {
      form.appendChild(fieldFor(c, values[c.name] === undefined ? null : values[c.name]));
    });
  }

  function formValues() {
    var out = {};
    columns.forEach(function (c) {
      var input = form.querySelector('[data-column="' + CSS.escape(c.name) + '"]');
      var v = input ? input.value : '';
      out[c.name] = v === '' ? null : c.kind === 'numeric' ? Number(v) : v;
    });
    return out;
  }

  function render(a, started) {
    var units =
      {
        probability: 'probability',
        'log-odds': 'log-odds',
        logit: 'softmax logit',
        decision: 'decision value',
        target: 'target units',
      }[a.units] || a.units;
    predictionEl.textContent = '';
    var head = el('div', { class: 'fs-5' });
    head.appendChild(document.createTextNode('Prediction: '));
    head.appendChild(
      el('strong', { 'data-testid': 'whatif-predicted', 'data-value': String(a.prediction) }, fmt(a.prediction)),
    );
    if (a.probabilities && a.output !== null)
      head.appendChild(document.createTextNode(' (probability ' + fmt(a.probabilities[a.output]) + ')'));
    if (a.row !== null)
      head.appendChild(el('span', { class: 'badge text-bg-secondary ms-2 fs-6' }, 'test row ' + a.row));
    else head.appendChild(el('span', { class: 'badge text-bg-warning ms-2 fs-6' }, 'edited'));
    predictionEl.appendChild(head);
    predictionEl.appendChild(
      el(
        'div',
        { class: 'small text-body-secondary' },
        (a.output !== null
          ? 'Explaining class ' + a.output + ' (the predicted one) in '
          : 'Explaining the prediction in ') +
          units +
          ': base value ' +
          fmt(a.base_value) +
          ' + contributions = ' +
          fmt(a.value) +
          ' (' +
          a.method +
          ').',
      ),
    );
    // Waterfall: from the base value, each column's contribution in turn (largest first).
    var steps = [];
    var cum = a.base_value;
    a.contributions.forEach(function (c) {
      steps.push({ c: c, from: cum, to: cum + c.contribution });
      cum += c.contribution;
    });
    var lo = Math.min(a.base_value, a.value);
    var hi = Math.max(a.base_value, a.value);
    steps.forEach(function (s) {
      lo = Math.min(lo, s.from, s.to);
      hi = Math.max(hi, s.from, s.to);
    });
    var span = hi > lo ? hi - lo : 1;
    var pct = function (v) {
      return ((v - lo) / span) * 100;
    };
    var table = el('table', { class: 'table table-sm small mb-0 waterfall', 'data-testid': 'waterfall' });
    var body = el('tbody');
    function line(name, value, amount, from, to, cls, testid) {
      var tr = el('tr', testid ? { 'data-testid': testid } : {});
      var td = el('td', { class: 'text-nowrap' });
      td.appendChild(el('code', {}, name));
      tr.appendChild(td);
      tr.appendChild(el('td', { class: 'text-nowrap text-truncate', style: 'max-width:10rem' }, value));
      tr.appendChild(el('td', { class: 'text-end text-nowrap' }, amount));
      var bar = el('td', { style: 'width:45%' });
      var track = el('div', { style: 'position:relative;height:14px;background:#f3f3f3' });
      var left = Math.min(pct(from), pct(to));
      var w = Math.max(0.4, Math.abs(pct(to) - pct(from)));
      track.appendChild(
        el('div', { class: cls, style: 'position:absolute;top:1px;bottom:1px;left:' + left + '%;width:' + w + '%' }),
      );
      bar.appendChild(track);
      tr.appendChild(bar);
      body.appendChild(tr);
    }
    line('base value', '', fmt(a.base_value), a.base_value, a.base_value, 'bg-secondary', 'waterfall-base');
    steps.forEach(function (s) {
      var v = s.c.value === null ? '(blank)' : fmt(s.c.value);
      var amount =
        (s.c.contribution >= 0 ? '+' : '') +
        fmt(s.c.contribution) +
        (s.c.stderr !== undefined ? ' ± ' + fmt(s.c.stderr) : '');
      line(s.c.name, v, amount, s.from, s.to, s.c.contribution >= 0 ? 'bg-danger' : 'bg-primary', 'waterfall-step');
    });
    line(
      a.output !== null ? 'output (class ' + a.output + ')' : 'prediction',
      '',
      fmt(a.value),
      a.base_value,
      a.value,
      'bg-dark',
      'waterfall-value',
    );
    table.appendChild(body);
    waterfallEl.textContent = '';
    waterfallEl.appendChild(table);
    var ms = Math.round(performance.now() - started);
    latencyEl.setAttribute('data-ms', String(ms));
    latencyEl.textContent =
      'Updated in ' +
      ms +
      ' ms (viz explained the row in ' +
      fmt(a.ms) +
      ' ms). Red raises the output, blue lowers it; the last bar is the net change from the base value.';
    showError('');
  }

  async function explainEdited() {
    var mine = ++seq;
    var started = performance.now();
    try {
      var a = await ask('values=' + encodeURIComponent(JSON.stringify(formValues())));
      if (mine === seq) render(a, started);
    } catch (e) {
      if (e.name !== 'AbortError' && mine === seq) showError(e.message);
    }
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(explainEdited, 40);
  }

  async function showRow(i) {
    var mine = ++seq;
    var started = performance.now();
    try {
      var a = await ask('row=' + encodeURIComponent(String(i)));
      if (mine !== seq) return;
      columns = a.columns;
      original = a.values;
      document.getElementById('row-count').textContent = '0 to ' + (a.testRows - 1);
      document.getElementById('row-index').max = String(a.testRows - 1);
      document.getElementById('row-index').value = String(a.row);
      buildForm(a.values);
      render(a, started);
    } catch (e) {
      if (e.name !== 'AbortError' && mine === seq) showError(e.message);
    }
  }

  document.getElementById('row-pick').addEventListener('submit', function (ev) {
    ev.preventDefault();
    showRow(document.getElementById('row-index').value || '0');
  });
  document.getElementById('reset-row').addEventListener('click', function () {
    if (original) {
      buildForm(original);
      schedule();
    }
  });
  document.getElementById('row-find').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var text = document.getElementById('find-text').value;
    findResults.textContent = '';
    try {
      var r = await ask('find=' + encodeURIComponent(text));
      if (!r.rows.length) {
        findResults.textContent = 'No test row holds "' + text + '".';
        return;
      }
      findResults.appendChild(
        document.createTextNode(
          'Test rows holding "' + text + '"' + (r.rows.length >= 20 ? ' (the first 20)' : '') + ': ',
        ),
      );
      r.rows.forEach(function (h) {
        var b = el(
          'button',
          { type: 'button', class: 'btn btn-link btn-sm p-0 me-2', title: h.preview, 'data-testid': 'find-hit' },
          '#' + h.row,
        );
        b.addEventListener('click', function () {
          showRow(h.row);
        });
        findResults.appendChild(b);
      });
    } catch (e) {
      if (e.name !== 'AbortError') showError(e.message);
    }
  });
  showRow(0);
})();
