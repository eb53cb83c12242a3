// The Compare page: polls the comparison job once a second and draws its leaderboard (best first:
// the candidates that reached the last round, by mean CV score), then follows the training jobs of
// each model's best candidate to link their models.
(function () {
  'use strict';
  var root = document.getElementById('compare');
  if (!root) return;
  var jobId = root.getAttribute('data-job');
  var csrf = root.getAttribute('data-csrf');
  var names = JSON.parse(root.getAttribute('data-names') || '{}');
  var $ = function (id) {
    return document.getElementById(id);
  };
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function num(v, d) {
    return typeof v === 'number' && isFinite(v) ? v.toFixed(d) : '–';
  }
  var trained = {};

  function params(p) {
    var keys = Object.keys(p || {});
    return keys.length
      ? keys
          .map(function (k) {
            return esc(k) + ' = ' + esc(p[k]);
          })
          .join(', ')
      : '<span class="text-body-secondary">defaults</span>';
  }

  function draw(job) {
    var r = job.result || {};
    var board = r.leaderboard || [];
    if (r.scoreName) $('score-name').textContent = r.scoreName;
    var pct = job.total > 0 ? Math.min(100, (100 * job.done) / job.total) : 0;
    if (job.status === 'done') pct = 100;
    root.querySelector('.progress-bar').style.width = pct.toFixed(0) + '%';
    var msg =
      job.status === 'done'
        ? 'Finished in ' +
          num(r.seconds, 0) +
          ' s' +
          (r.stoppedBy === 'budget' ? ' (the budget ran out; the leaderboard holds what finished)' : '') +
          ': ' +
          board.length +
          ' candidates scored.'
        : job.status === 'failed'
          ? 'The comparison failed.'
          : job.status === 'cancelled'
            ? 'Stopped.'
            : job.message || job.status;
    $('compare-message').textContent = msg;
    $('compare-rounds').textContent = (r.rounds || [])
      .map(function (x, i) {
        return 'round ' + (i + 1) + ': ' + x.completed + '/' + x.candidates + ' on ' + x.rows + ' rows';
      })
      .join(' · ');
    $('compare-cancel').classList.toggle('d-none', !(job.status === 'queued' || job.status === 'running'));
    if (job.error) {
      $('compare-error').textContent = job.error;
      $('compare-error').classList.remove('d-none');
    }
    var jobs = {};
    (r.trainJobs || []).forEach(function (t) {
      jobs[t.model + ' ' + JSON.stringify(t.params)] = t.job;
    });
    if (!board.length) return;
    $('leaderboard-rows').innerHTML = board
      .map(function (e, i) {
        var key = e.model + ' ' + JSON.stringify(e.params);
        var t = jobs[key];
        var cell = !t
          ? ''
          : trained[t]
            ? '<a href="/results?model=' + trained[t] + '" data-testid="trained-model">model ' + trained[t] + '</a>'
            : '<span class="text-body-secondary">training (job ' + t + ')</span>';
        // the soft-voting ensemble: its members instead of parameters, its model stored by the comparison
        if (e.members)
          cell = e.modelId
            ? '<a href="/results?model=' + e.modelId + '" data-testid="trained-model">model ' + e.modelId + '</a>'
            : '<span class="text-body-secondary small">not stored: no better than the best single model</span>';
        var name = e.members ? 'Soft-voting ensemble' : names[e.model] || e.model;
        var what = e.members
          ? e.members
              .map(function (m) {
                return '<strong>' + esc(names[m.model] || m.model) + '</strong> (' + params(m.params) + ')';
              })
              .join(' + ')
          : params(e.params);
        return (
          '<tr' +
          (i === 0 ? ' class="table-success"' : '') +
          (e.members ? ' data-testid="ensemble-row"' : '') +
          '><td>' +
          (i + 1) +
          '</td><td>' +
          esc(name) +
          '</td><td class="small">' +
          what +
          '</td>' +
          '<td class="text-end text-nowrap">' +
          num(e.meanScore, 4) +
          ' <span class="text-body-secondary small">± ' +
          num(e.stdScore, 4) +
          '</span></td>' +
          '<td class="text-end">' +
          e.rows.toLocaleString('en-US') +
          '</td><td class="text-end">' +
          num(e.fitSeconds, 3) +
          '</td><td class="text-end">' +
          num(e.predictMsPer1000, 2) +
          '</td><td>' +
          cell +
          '</td></tr>'
        );
      })
      .join('');
    // follow the full trainings of each family's best
    Object.keys(jobs).forEach(function (k) {
      var id = jobs[k];
      if (trained[id]) return;
      fetch('/api/jobs/' + id, { headers: { accept: 'application/json' } })
        .then(function (res) {
          return res.ok ? res.json() : null;
        })
        .then(function (j) {
          if (j && j.status === 'done' && j.modelId) trained[id] = j.modelId;
        });
    });
  }

  var timer = null;
  function poll() {
    fetch('/api/jobs/' + jobId, { headers: { accept: 'application/json' } })
      .then(function (res) {
        return res.json();
      })
      .then(function (job) {
        draw(job);
        var trainsPending = ((job.result && job.result.trainJobs) || []).some(function (t) {
          return !trained[t.job];
        });
        if (job.status === 'queued' || job.status === 'running' || (job.status === 'done' && trainsPending))
          timer = setTimeout(poll, 1000);
      })
      .catch(function () {
        timer = setTimeout(poll, 2000);
      });
  }
  $('compare-cancel').addEventListener('click', function () {
    fetch('/api/jobs/' + jobId + '/cancel', {
      method: 'POST',
      headers: { 'x-csrf-token': csrf, accept: 'application/json' },
    });
  });
  poll();
  void timer;
})();
