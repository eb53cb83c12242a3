// The Train page: posts the spec the form document hands over, then follows the job by
// Server-Sent Events (through web's proxy to viz) with a progress bar, time left and Cancel, and
// shows a summary with a link to the results. A second tab picks up the running job. A job whose
// worker stopped answering says so while it waits for the sweeper; a failed or cancelled one offers Retry.
(function () {
  'use strict';
  var panel = document.getElementById('job-panel');
  if (!panel) return;
  var csrf = panel.getAttribute('data-csrf');
  var dataset = panel.getAttribute('data-dataset');
  var $ = function (id) { return document.getElementById(id); };
  var show = function (id, on) { $(id).classList.toggle('d-none', !on); };
  var source = null;
  var current = null;

  function fmt(v) { return typeof v === 'number' ? (Math.round(v * 10000) / 10000).toString() : String(v); }
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; }); }
  function fail(msg) { $('job-error').textContent = msg; show('job-error', true); }

  function render(j) {
    show('job-idle', false);
    var bar = document.querySelector('#job-running .progress-bar');
    var pct = j.total > 0 ? Math.min(100, 100 * j.done / j.total) : 0;
    if (j.status === 'queued' || j.status === 'running') {
      show('job-running', true);
      show('job-summary', false);
      bar.style.width = pct.toFixed(0) + '%';
      bar.textContent = j.done + ' / ' + j.total + ' fits';
      $('job-message').textContent = j.message || j.status;
      var eta = '';
      if (j.status === 'running' && j.done > 0 && j.elapsedMs > 0 && j.done < j.total) {
        var left = j.elapsedMs / j.done * (j.total - j.done) / 1000;
        eta = 'about ' + (left < 60 ? Math.ceil(left) + ' s' : Math.ceil(left / 60) + ' min') + ' left';
      }
      $('job-eta').textContent = eta;
      var st = $('job-stalled');
      if (j.stalled) {
        st.textContent = 'The worker running this job stopped answering ' + j.stalled.silentSeconds + ' s ago; unless it answers again, the job will be marked failed within about ' +
          j.stalled.failsWithinSeconds + ' s, and you can retry it then.';
      }
      show('job-stalled', !!j.stalled);
      return;
    }
    show('job-running', false);
    var s = $('job-summary');
    show('job-summary', true);
    if (j.status === 'done' && j.result) {
      var r = j.result;
      var params = Object.keys(r.bestParams).map(function (k) { return esc(k) + ' = ' + fmt(r.bestParams[k]); }).join(', ') || 'none to tune';
      s.innerHTML = '<div class="alert alert-success mb-2">Trained in ' + r.seconds.toFixed(1) + ' s on ' + r.rows.toLocaleString('en-US') + ' rows' +
        (r.dropped ? ' (' + r.dropped + ' rows with missing values left out)' : '') + '.</div>' +
        '<dl class="row small mb-2"><dt class="col-5">Best parameters</dt><dd class="col-7" data-testid="best-params">' + params + '</dd>' +
        '<dt class="col-5">CV ' + esc(r.scoreName) + '</dt><dd class="col-7">' + fmt(r.cvScore) + '</dd>' +
        '<dt class="col-5">Train ' + esc(r.scoreName) + '</dt><dd class="col-7">' + fmt(r.trainScore) + '</dd>' +
        '<dt class="col-5">Test ' + esc(r.scoreName) + '</dt><dd class="col-7" data-testid="test-score">' + fmt(r.testScore) + '</dd>' +
        '<dt class="col-5">ONNX file</dt><dd class="col-7">' + (r.onnxBytes / 1024).toFixed(1) + ' kB</dd></dl>' +
        '<a class="btn btn-primary btn-sm" href="/results?model=' + r.modelId + '" data-testid="open-results">Open the results</a>';
    } else if (j.status === 'cancelled') {
      s.innerHTML = '<div class="alert alert-secondary mb-2" data-testid="job-cancelled">The job was cancelled after ' + j.done + ' of ' + j.total + ' fits. Nothing was stored.</div>' + retryButton;
    } else {
      s.innerHTML = '<div class="alert alert-danger mb-2" data-testid="job-failed">The job failed: ' + esc(j.error || 'unknown error') + '</div>' + retryButton;
    }
  }

  var retryButton = panel.getAttribute('data-can-edit') === 'true'
    ? '<button class="btn btn-sm btn-outline-primary" type="button" data-testid="job-retry">Retry with the same settings</button>' : '';

  async function start(url, init) {
    show('job-error', false);
    var res = await fetch(url, init);
    var body = await res.json().catch(function () { return null; });
    if (res.status !== 202 || !body) return fail((body && body.message) || ('The job could not start (HTTP ' + res.status + ').'));
    render({ status: 'queued', done: 0, total: body.fits, message: 'waiting for a worker' });
    follow(body.job);
  }

  function follow(id) {
    current = id;
    if (source) source.close();
    source = new EventSource('/viz/jobs/' + id + '/events');
    source.onmessage = function (e) {
      var j = JSON.parse(e.data);
      render(j);
      if (j.status === 'done' || j.status === 'failed' || j.status === 'cancelled') { source.close(); source = null; }
    };
    source.onerror = function () {
      // The browser reconnects by itself; if the job is over, the stream simply ended.
    };
  }

  window.addEventListener('enchilada:train', function (e) {
    void start('/api/train', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(e.detail) });
  });

  $('job-summary').addEventListener('click', function (e) {
    if (!current || !e.target.closest('[data-testid="job-retry"]')) return;
    void start('/api/jobs/' + current + '/retry', { method: 'POST', headers: { accept: 'application/json', 'x-csrf-token': csrf } });
  });

  $('job-cancel').addEventListener('click', async function () {
    if (!current) return;
    $('job-message').textContent = 'cancelling…';
    await fetch('/api/jobs/' + current + '/cancel', { method: 'POST', headers: { accept: 'application/json', 'x-csrf-token': csrf } });
  });

  // A job already running for this dataset (another tab, or before a reload) is followed here too.
  fetch('/api/jobs?active=true&dataset=' + dataset, { headers: { accept: 'application/json' } })
    .then(function (r) { return r.json(); })
    .then(function (b) { if (b.jobs && b.jobs.length) follow(b.jobs[0].id); })
    .catch(function () { /* the page works without it */ });
})();
