// The Train page: posts the spec the form document hands over, then follows the job by
// Server-Sent Events (through web's proxy to viz) with a progress bar, time left and Cancel, and
// shows a summary with a link to the results. A second tab, or a later visit, picks up the running
// job: its settings (model, grid, columns, preprocessing) are put back into the form and listed
// beside its progress. A job whose worker stopped answering says so while it waits for the sweeper;
// a failed or cancelled one offers Retry.
(function () {
  'use strict';
  var panel = document.getElementById('job-panel');
  if (!panel) return;
  var csrf = panel.getAttribute('data-csrf');
  var dataset = panel.getAttribute('data-dataset');
  var $ = function (id) {
    return document.getElementById(id);
  };
  var show = function (id, on) {
    $(id).classList.toggle('d-none', !on);
  };
  var source = null;
  var current = null;

  function fmt(v) {
    return typeof v === 'number' ? (Math.round(v * 10000) / 10000).toString() : String(v);
  }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function fail(msg) {
    $('job-error').textContent = msg;
    show('job-error', true);
  }

  function render(j) {
    show('job-idle', false);
    var bar = document.querySelector('#job-running .progress-bar');
    var pct = j.total > 0 ? Math.min(100, (100 * j.done) / j.total) : 0;
    if (j.status === 'queued' || j.status === 'running') {
      show('job-running', true);
      show('job-summary', false);
      bar.style.width = pct.toFixed(0) + '%';
      bar.textContent = j.done + ' / ' + j.total + ' fits';
      $('job-message').textContent = j.message || j.status;
      var eta = '';
      if (j.status === 'running' && j.done > 0 && j.elapsedMs > 0 && j.done < j.total) {
        var left = ((j.elapsedMs / j.done) * (j.total - j.done)) / 1000;
        eta = 'about ' + (left < 60 ? Math.ceil(left) + ' s' : Math.ceil(left / 60) + ' min') + ' left';
      }
      $('job-eta').textContent = eta;
      var st = $('job-stalled');
      if (j.stalled) {
        st.textContent =
          'The worker running this job stopped answering ' +
          j.stalled.silentSeconds +
          ' s ago; unless it answers again, the job will be marked failed within about ' +
          j.stalled.failsWithinSeconds +
          ' s, and you can retry it then.';
      }
      show('job-stalled', !!j.stalled);
      return;
    }
    show('job-running', false);
    var s = $('job-summary');
    show('job-summary', true);
    if (j.status === 'done' && j.result) {
      var r = j.result;
      var params =
        Object.keys(r.bestParams)
          .map(function (k) {
            return esc(k) + ' = ' + fmt(r.bestParams[k]);
          })
          .join(', ') || 'none to tune';
      s.innerHTML =
        '<div class="alert alert-success mb-2">Trained in ' +
        r.seconds.toFixed(1) +
        ' s on ' +
        r.rows.toLocaleString('en-US') +
        ' rows' +
        (r.dropped ? ' (' + r.dropped + ' rows with missing values left out)' : '') +
        '.</div>' +
        '<dl class="row small mb-2"><dt class="col-5">Best parameters</dt><dd class="col-7" data-testid="best-params">' +
        params +
        '</dd>' +
        '<dt class="col-5">CV ' +
        esc(r.scoreName) +
        '</dt><dd class="col-7">' +
        fmt(r.cvScore) +
        '</dd>' +
        '<dt class="col-5">Train ' +
        esc(r.scoreName) +
        '</dt><dd class="col-7">' +
        fmt(r.trainScore) +
        '</dd>' +
        '<dt class="col-5">Test ' +
        esc(r.scoreName) +
        '</dt><dd class="col-7" data-testid="test-score">' +
        fmt(r.testScore) +
        '</dd>' +
        '<dt class="col-5">ONNX file</dt><dd class="col-7">' +
        (r.onnxBytes / 1024).toFixed(1) +
        ' kB</dd></dl>' +
        '<a class="btn btn-primary btn-sm" href="/results?model=' +
        r.modelId +
        '" data-testid="open-results">Open the results</a>';
    } else if (j.status === 'cancelled') {
      s.innerHTML =
        '<div class="alert alert-secondary mb-2" data-testid="job-cancelled">The job was cancelled after ' +
        j.done +
        ' of ' +
        j.total +
        ' fits. Nothing was stored.</div>' +
        retryButton;
    } else {
      s.innerHTML =
        '<div class="alert alert-danger mb-2" data-testid="job-failed">The job failed: ' +
        esc(j.error || 'unknown error') +
        '</div>' +
        retryButton;
    }
  }

  var retryButton =
    panel.getAttribute('data-can-edit') === 'true'
      ? '<button class="btn btn-sm btn-outline-primary" type="button" data-testid="job-retry">Retry with the same settings</button>'
      : '';

  async function start(url, init) {
    show('job-error', false);
    var res = await fetch(url, init);
    var body = await res.json().catch(function () {
      return null;
    });
    if (res.status !== 202 || !body)
      return fail((body && body.message) || 'The job could not start (HTTP ' + res.status + ').');
    render({ status: 'queued', done: 0, total: body.fits, message: 'waiting for a worker' });
    follow(body.job, false);
  }

  // The form document's widgets, by name, once it is embedded (it loads on its own).
  function whenForm(cb) {
    var tries = 0;
    (function look() {
      var docs = (window.Bokeh && window.Bokeh.documents) || [];
      for (var i = 0; i < docs.length; i++)
        if (docs[i].get_model_by_name('model'))
          return cb(function (n) {
            return docs[i].get_model_by_name(n);
          });
      if (++tries < 300) setTimeout(look, 100);
    })();
  }

  // The job's settings in the form's widgets; their callbacks then redraw the count, grid and plan.
  function fillForm(spec) {
    var random = !!(spec.search && spec.search.kind === 'random');
    if ($('search-random')) {
      $('search-random').checked = random;
      $('search-grid').checked = !random;
      if (random) $('search-candidates').value = spec.search.candidates;
      noteSearch();
    }
    whenForm(function (w) {
      w('model').value = spec.model;
      var names = w('features').labels.map(function (l) {
        return l.split(' · ')[0];
      });
      w('features').active = spec.features
        .map(function (f) {
          return names.indexOf(f);
        })
        .filter(function (i) {
          return i >= 0;
        });
      w('train-split').value = spec.trainFraction;
      var pre = spec.preprocessing || {};
      if (pre.numericStrategy) w('numeric-strategy').value = pre.numericStrategy;
      if (pre.categoricalStrategy) w('categorical-strategy').value = pre.categoricalStrategy;
      if (pre.encoding) w('encoding').value = pre.encoding;
      w('add-indicator').active = pre.addIndicator ? [0] : [];
      w('rare').value = pre.minFrequency === undefined || pre.minFrequency === null ? 'none' : String(pre.minFrequency);
      Object.keys(random ? {} : spec.grid || {}).forEach(function (k) {
        var vals = spec.grid[k];
        if (!vals.length) return;
        var lo = Math.min.apply(null, vals),
          hi = Math.max.apply(null, vals);
        var r = (spec.ranges || {})[k];
        if (r && r.scale === 'log' && w('scale-' + k)) {
          var per = r.perDecade || 1;
          w('scale-' + k).value = 'log' + per;
          w('log-range-' + k).value = [Math.round(Math.log10(lo) * per) / per, Math.round(Math.log10(hi) * per) / per];
        } else {
          if (w('scale-' + k)) w('scale-' + k).value = 'linear';
          if (w('range-' + k)) w('range-' + k).value = [lo, hi];
        }
      });
    });
  }

  function showSettings(spec) {
    whenForm(function (w) {
      var opt = (w('model').options || []).filter(function (o) {
        return o[0] === spec.model;
      })[0];
      var grid = Object.keys(spec.grid || {})
        .map(function (k) {
          var r = (spec.ranges || {})[k];
          if (spec.search && spec.search.kind === 'random')
            return (
              '<li><code>' +
              esc(k) +
              '</code>: ' +
              spec.grid[k].length +
              ' values, ' +
              fmt(Math.min.apply(null, spec.grid[k])) +
              ' … ' +
              fmt(Math.max.apply(null, spec.grid[k])) +
              '</li>'
            );
          return (
            '<li><code>' +
            esc(k) +
            '</code> (' +
            (r && r.scale === 'log' ? 'log, ' + (r.perDecade || 1) + ' per decade' : 'linear') +
            '): ' +
            spec.grid[k].map(String).join(', ') +
            '</li>'
          );
        })
        .join('');
      var pre = spec.preprocessing || {};
      var how =
        [
          pre.numericStrategy ? 'numbers: ' + pre.numericStrategy : null,
          pre.encoding ? 'text: ' + pre.encoding : null,
          pre.minFrequency ? 'rare below ' + pre.minFrequency : null,
          pre.addIndicator ? 'missing indicators' : null,
        ]
          .filter(Boolean)
          .join(' · ') || 'default preprocessing';
      var s = $('job-settings');
      s.innerHTML =
        '<div class="fw-semibold">This job: <span data-testid="job-model">' +
        esc(opt ? opt[1] : spec.model) +
        '</span>, train split ' +
        fmt(spec.trainFraction) +
        '</div>' +
        (spec.search && spec.search.kind === 'random'
          ? '<div data-testid="job-search">Random search: ' +
            spec.search.candidates +
            ' candidates (seed ' +
            spec.search.seed +
            '), values drawn:</div>'
          : '') +
        '<ul class="mb-1 ps-3" data-testid="job-grid">' +
        (grid || '<li>nothing to tune</li>') +
        '</ul>' +
        '<div data-testid="job-columns">' +
        spec.features.length +
        ' column' +
        (spec.features.length === 1 ? '' : 's') +
        ': ' +
        spec.features.map(esc).join(', ') +
        '</div>' +
        '<div class="text-body-secondary">' +
        esc(how) +
        '</div>';
      show('job-settings', true);
    });
  }

  function follow(id, restore) {
    fetch('/api/jobs/' + id, { headers: { accept: 'application/json' } })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (j) {
        if (j && j.spec) {
          if (restore) fillForm(j.spec);
          showSettings(j.spec);
        }
      })
      .catch(function () {
        /* the progress still shows */
      });
    current = id;
    if (source) source.close();
    source = new EventSource('/viz/jobs/' + id + '/events');
    source.onmessage = function (e) {
      var j = JSON.parse(e.data);
      render(j);
      if (j.status === 'done' || j.status === 'failed' || j.status === 'cancelled') {
        source.close();
        source = null;
      }
    };
    source.onerror = function () {
      // The browser reconnects by itself; if the job is over, the stream simply ended.
    };
  }

  // Grid or random search: the form's request, with the random search's budget when chosen
  function searchChoice() {
    var random = $('search-random') && $('search-random').checked;
    var n = Number($('search-candidates').value);
    return random ? { kind: 'random', candidates: n } : null;
  }
  function noteSearch() {
    var s = searchChoice();
    var note = $('search-note');
    if (!note) return;
    note.textContent = s
      ? Number.isInteger(s.candidates)
        ? s.candidates + ' candidates × 5 folds = ' + s.candidates * 5 + ' fits; the ranges in the form are not used.'
        : 'Give a whole number of candidates (2–200).'
      : '';
    note.classList.toggle('d-none', !s);
  }
  ['search-grid', 'search-random', 'search-candidates'].forEach(function (id) {
    var el = $(id);
    if (el) {
      el.addEventListener('change', noteSearch);
      el.addEventListener('input', noteSearch);
    }
  });

  window.addEventListener('enchilada:train', function (e) {
    var body = Object.assign({}, e.detail);
    var s = searchChoice();
    if (s) body.search = s;
    void start('/api/train', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body),
    });
  });

  $('job-summary').addEventListener('click', function (e) {
    if (!current || !e.target.closest('[data-testid="job-retry"]')) return;
    void start('/api/jobs/' + current + '/retry', {
      method: 'POST',
      headers: { accept: 'application/json', 'x-csrf-token': csrf },
    });
  });

  $('job-cancel').addEventListener('click', async function () {
    if (!current) return;
    $('job-message').textContent = 'cancelling…';
    await fetch('/api/jobs/' + current + '/cancel', {
      method: 'POST',
      headers: { accept: 'application/json', 'x-csrf-token': csrf },
    });
  });

  // A job already running for this dataset (another tab, or before a reload) is followed here too.
  fetch('/api/jobs?active=true&dataset=' + dataset, { headers: { accept: 'application/json' } })
    .then(function (r) {
      return r.json();
    })
    .then(function (b) {
      if (b.jobs && b.jobs.length) follow(b.jobs[0].id, true);
    })
    .catch(function () {
      /* the page works without it */
    });
})();
