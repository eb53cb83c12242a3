// Batch scoring on a name's or a model's page: upload the CSV (with upload progress), then score it,
// reading the scored CSV as it streams back (rows counted against the file's), then offer it for download.
(function () {
  'use strict';
  var box = document.getElementById('batch');
  if (!box) return;
  var name = box.getAttribute('data-name');
  var csrf = box.getAttribute('data-csrf');
  var fileInput = document.getElementById('batch-file');
  var idSelect = document.getElementById('batch-id-column');
  var sendBtn = document.getElementById('batch-send');
  var bar = document.getElementById('batch-progress');
  var status = document.getElementById('batch-status');
  var errorBox = document.getElementById('batch-error');
  var download = document.getElementById('batch-download');
  var lines = 0;
  var url = null;

  function show(el, on) {
    el.classList.toggle('d-none', !on);
  }
  function progress(frac, label) {
    show(bar, true);
    bar.firstElementChild.style.width = (100 * Math.min(1, frac)).toFixed(0) + '%';
    status.textContent = label;
  }
  function fail(msg) {
    errorBox.textContent = msg;
    show(errorBox, true);
    show(bar, false);
    status.textContent = '';
    sendBtn.disabled = false;
  }
  function fmt(n) {
    return n.toLocaleString('en');
  }

  // The header's names, to offer as the id column; and the file's line count (for progress), read in slices.
  function headerCells(line) {
    var out = [],
      cur = '',
      q = false;
    for (var i = 0; i < line.length; i++) {
      var c = line[i];
      if (q) {
        if (c === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (c === '"') q = false;
        else cur += c;
      } else if (c === '"') q = true;
      else if (c === ',') {
        out.push(cur);
        cur = '';
      } else cur += c;
    }
    out.push(cur);
    return out;
  }
  fileInput.addEventListener('change', function () {
    var file = fileInput.files && fileInput.files[0];
    while (idSelect.options.length > 1) idSelect.remove(1);
    show(download, false);
    show(errorBox, false);
    status.textContent = '';
    if (!file) return;
    file
      .slice(0, 65536)
      .text()
      .then(function (t) {
        var first = t.replace(/^\uFEFF/, '').split(/\r?\n/)[0];
        headerCells(first).forEach(function (h) {
          var o = document.createElement('option');
          o.value = h;
          o.textContent = h;
          idSelect.appendChild(o);
        });
      });
    lines = 0;
    var size = file.size,
      at = 0,
      step = 8 << 20;
    (function next() {
      if (at >= size) return;
      file
        .slice(at, at + step)
        .arrayBuffer()
        .then(function (buf) {
          var b = new Uint8Array(buf);
          for (var i = 0; i < b.length; i++) if (b[i] === 10) lines++;
          at += step;
          next();
        });
    })();
  });

  sendBtn.addEventListener('click', function () {
    show(errorBox, false);
    show(download, false);
    var file = fileInput.files && fileInput.files[0];
    if (!file) return fail('Choose a CSV file first.');
    sendBtn.disabled = true;
    var data = new FormData();
    data.append('file', file);
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/published/' + encodeURIComponent(name) + '/batch/uploads');
    xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable)
        progress(e.loaded / e.total / 2, 'Uploading… ' + Math.round((100 * e.loaded) / e.total) + '%');
    };
    xhr.onerror = function () {
      fail('The upload failed: the connection was lost.');
    };
    xhr.onload = function () {
      var body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (e) {
        /* below */
      }
      if (xhr.status !== 201 || !body)
        return fail((body && body.message) || 'The upload failed (HTTP ' + xhr.status + ').');
      score(body.upload, file.name);
    };
    progress(0, 'Uploading…');
    xhr.send(data);
  });

  function score(upload, fileName) {
    var total = Math.max(1, lines - 1);
    var params = new URLSearchParams();
    if (idSelect.value) params.set('id_column', idSelect.value);
    fetch('/published/' + encodeURIComponent(name) + '/batch/' + upload, {
      method: 'POST',
      headers: { 'x-csrf-token': csrf, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/csv' },
      body: params.toString(),
    })
      .then(function (res) {
        if (!res.ok)
          return res.json().then(
            function (b) {
              fail(b.message || 'Scoring failed (HTTP ' + res.status + ').');
            },
            function () {
              fail('Scoring failed (HTTP ' + res.status + ').');
            },
          );
        var batchId = res.headers.get('x-batch-id');
        var reader = res.body.getReader();
        var chunks = [];
        var rows = -1;
        var errors = 0;
        var dec = new TextDecoder();
        var tail = '';
        function pump() {
          return reader.read().then(function (r) {
            if (r.done) return finish();
            chunks.push(r.value);
            var s = tail + dec.decode(r.value, { stream: true });
            var parts = s.split('\n');
            tail = parts.pop();
            rows += parts.length;
            // A row with an error ends with a non-empty last cell; good rows end with a comma.
            for (var i = 0; i < parts.length; i++)
              if (parts[i].length && parts[i][parts[i].length - 1] !== ',') errors++;
            progress(
              0.5 + Math.max(0, rows) / total / 2,
              'Scoring… ' + fmt(Math.max(0, rows)) + ' of ' + fmt(total) + ' rows',
            );
            return pump();
          });
        }
        function finish() {
          if (url) URL.revokeObjectURL(url);
          url = URL.createObjectURL(new Blob(chunks, { type: 'text/csv' }));
          download.href = url;
          download.setAttribute('download', fileName.replace(/\.(csv|txt)$/i, '') + '-scored-' + name + '.csv');
          progress(
            1,
            'Done: ' +
              fmt(Math.max(0, rows)) +
              ' rows, ' +
              fmt(Math.max(0, errors - 1)) +
              ' with an error' +
              (batchId ? ' · batch ' + batchId : '') +
              '.',
          );
          show(download, true);
          sendBtn.disabled = false;
        }
        return pump();
      })
      .catch(function (e) {
        fail('Scoring failed: ' + e.message);
      });
  }
})();
