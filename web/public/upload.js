// CSV upload: send the file (with upload progress), show the preview with editable names, types
// and roles, then start the load and follow its progress until the dataset exists.
(function () {
  'use strict';
  var box = document.getElementById('upload');
  if (!box) return;
  var csrf = box.getAttribute('data-csrf');
  var fileInput = document.getElementById('upload-file');
  var sendBtn = document.getElementById('upload-send');
  var bar = document.getElementById('upload-progress');
  var errorBox = document.getElementById('upload-error');
  var form = document.getElementById('preview-form');
  var table = document.getElementById('preview-table');
  var loadBox = document.getElementById('load-progress');
  var preview = null;
  var TYPES = ['integer', 'decimal', 'text', 'boolean', 'date'];
  var ROLES = ['feature', 'target', 'identifier', 'ignored'];

  function show(el, on) {
    el.classList.toggle('d-none', !on);
  }
  function fail(msg) {
    errorBox.textContent = msg;
    show(errorBox, true);
    sendBtn.disabled = false;
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      e.setAttribute(k, attrs[k]);
    });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function select(options, value, label) {
    var s = el('select', { class: 'form-select form-select-sm', 'aria-label': label });
    options.forEach(function (o) {
      var opt = el('option', { value: o }, o);
      if (o === value) opt.selected = true;
      s.appendChild(opt);
    });
    return s;
  }
  function fmtBytes(n) {
    return n > 1e6 ? (n / 1e6).toFixed(1) + ' MB' : Math.max(1, Math.round(n / 1e3)) + ' kB';
  }

  sendBtn.addEventListener('click', function () {
    show(errorBox, false);
    var file = fileInput.files && fileInput.files[0];
    if (!file) return fail('Choose a CSV file first.');
    sendBtn.disabled = true;
    show(bar, true);
    var data = new FormData();
    data.append('file', file);
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/uploads');
    xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) bar.firstElementChild.style.width = ((100 * e.loaded) / e.total).toFixed(0) + '%';
    };
    xhr.onerror = function () {
      show(bar, false);
      fail('The upload failed: the connection was lost.');
    };
    xhr.onload = function () {
      show(bar, false);
      var body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (e) {
        /* below */
      }
      if (xhr.status !== 201 || !body)
        return fail((body && body.message) || 'The upload failed (HTTP ' + xhr.status + ').');
      preview = body;
      renderPreview();
    };
    xhr.send(data);
  });

  function renderPreview() {
    document.getElementById('ds-name').value = preview.suggestedName;
    document.getElementById('ds-title').value = preview.fileName.replace(/\.[^.]*$/, '');
    document.getElementById('ds-task').value = preview.suggestedTask || '';
    table.innerHTML = '';
    var head = el('thead');
    var rowName = el('tr'),
      rowType = el('tr'),
      rowRole = el('tr'),
      rowHeader = el('tr');
    rowHeader.appendChild(el('th', { class: 'text-body-secondary' }, 'in file'));
    rowName.appendChild(el('th', {}, 'name'));
    rowType.appendChild(el('th', {}, 'type'));
    rowRole.appendChild(el('th', {}, 'role'));
    preview.columns.forEach(function (c, i) {
      rowHeader.appendChild(el('th', { class: 'text-body-secondary fw-normal' }, c.header));
      var name = el('input', {
        class: 'form-control form-control-sm',
        value: c.name,
        'data-col': String(i),
        'aria-label': 'name of column ' + (i + 1),
        maxlength: '64',
      });
      var td = el('td');
      td.appendChild(name);
      rowName.appendChild(td);
      td = el('td');
      td.appendChild(select(TYPES, c.type, 'type of column ' + (i + 1)));
      rowType.appendChild(td);
      td = el('td', { class: 'align-top' });
      td.appendChild(select(ROLES, c.role, 'role of column ' + (i + 1)));
      // Why the suggested role is not "feature" (an identifier-like column), so it can be overruled knowingly.
      if (c.note)
        td.appendChild(
          el('div', { class: 'form-text small text-warning-emphasis', 'data-testid': 'role-note' }, c.note),
        );
      // The suggested target is a guess from the name and the values: say so, and why.
      if (preview.suggestedTarget && preview.suggestedTarget.index === i)
        td.appendChild(
          el(
            'div',
            { class: 'form-text small text-primary-emphasis', 'data-testid': 'target-note' },
            preview.suggestedTarget.reason,
          ),
        );
      // Where a refused load's message about this column goes (see showColumnError).
      td.appendChild(
        el('div', { class: 'invalid-feedback d-block d-none', 'data-testid': 'column-error', 'data-col': String(i) }),
      );
      rowRole.appendChild(td);
    });
    [rowHeader, rowName, rowType, rowRole].forEach(function (r) {
      head.appendChild(r);
    });
    table.appendChild(head);
    var body = el('tbody');
    preview.rows.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('td', { class: 'text-body-secondary' }, ''));
      r.forEach(function (v) {
        tr.appendChild(el('td', {}, v));
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    document.getElementById('preview-note').textContent =
      'First ' +
      preview.rows.length +
      ' rows of ' +
      preview.fileName +
      ' (' +
      fmtBytes(preview.bytes) +
      '); types inferred from the first ' +
      preview.sampledRows +
      ' rows. Every row is checked against these types when loading.';
    show(form, true);
    sendBtn.disabled = false;
  }

  function columns() {
    var names = table.querySelectorAll('thead tr:nth-child(2) input');
    var types = table.querySelectorAll('thead tr:nth-child(3) select');
    var roles = table.querySelectorAll('thead tr:nth-child(4) select');
    return Array.prototype.map.call(names, function (n, i) {
      return { name: n.value.trim(), type: types[i].value, role: roles[i].value };
    });
  }

  // A refused load leaves the preview as the person set it, and puts the message beside the column
  // it names (by index for a refused choice, by name for a value the column's type refused).
  function clearColumnErrors() {
    table.querySelectorAll('[data-testid=column-error]').forEach(function (d) {
      d.textContent = '';
      d.classList.add('d-none');
    });
    table.querySelectorAll('.is-invalid').forEach(function (x) {
      x.classList.remove('is-invalid');
    });
  }
  function showColumnError(index, part, message, hint) {
    var box = table.querySelector('[data-testid=column-error][data-col="' + index + '"]');
    if (!box) return false;
    box.textContent = message + (hint ? ' — ' + hint : '');
    box.classList.remove('d-none');
    var rows = { name: 2, type: 3, role: 4 };
    var ctl = table.querySelector(
      'thead tr:nth-child(' + (rows[part] || 3) + ') [aria-label$="column ' + (index + 1) + '"]',
    );
    if (ctl) ctl.classList.add('is-invalid');
    box.scrollIntoView({ block: 'nearest', inline: 'center' });
    return true;
  }
  function refused(body, status) {
    var msg = (body && body.message) || 'The load could not start (HTTP ' + status + ').';
    var m = body && typeof body.field === 'string' ? /^columns\[(\d+)\]\.(name|type|role)$/.exec(body.field) : null;
    fail(msg);
    if (m) showColumnError(Number(m[1]), m[2], msg, null);
  }

  document.getElementById('preview-cancel').addEventListener('click', function () {
    if (preview) fetch('/api/uploads/' + preview.id, { method: 'DELETE', headers: { 'x-csrf-token': csrf } });
    preview = null;
    show(form, false);
    fileInput.value = '';
  });

  form.addEventListener('submit', async function (e) {
    e.preventDefault();
    show(errorBox, false);
    clearColumnErrors();
    var task = document.getElementById('ds-task').value || null;
    var res = await fetch('/api/uploads/' + preview.id + '/commit', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, accept: 'application/json' },
      body: JSON.stringify({
        name: document.getElementById('ds-name').value.trim(),
        title: document.getElementById('ds-title').value.trim(),
        task: task,
        columns: columns(),
      }),
    });
    var body = await res.json().catch(function () {
      return null;
    });
    if (res.status !== 202 || !body) return refused(body, res.status);
    show(form, false);
    show(loadBox, true);
    follow(body.load);
  });

  async function follow(id) {
    var text = document.getElementById('load-text');
    var pbar = loadBox.querySelector('.progress-bar');
    for (;;) {
      var res = await fetch('/api/loads/' + id, { headers: { accept: 'application/json' } });
      var s = await res.json().catch(function () {
        return null;
      });
      if (!res.ok || !s) {
        show(loadBox, false);
        return fail('Lost track of the load (HTTP ' + res.status + ').');
      }
      var pct = s.bytesTotal ? Math.min(100, (100 * s.bytesDone) / s.bytesTotal) : 0;
      pbar.style.width = pct.toFixed(0) + '%';
      text.textContent = s.rowsDone.toLocaleString('en-US') + ' rows loaded (' + pct.toFixed(0) + '%)';
      if (s.status === 'failed') {
        show(loadBox, false);
        // Back to the preview as it was: the file is kept on the server for another try.
        show(form, true);
        fail('Nothing was stored: ' + s.error + (s.errorHint ? ' — ' + s.errorHint : ''));
        if (s.errorColumn) {
          var i = columns()
            .map(function (c) {
              return c.name;
            })
            .indexOf(s.errorColumn);
          if (i >= 0) showColumnError(i, 'type', s.error, s.errorHint);
        }
        return;
      }
      if (s.status === 'done') {
        text.textContent = s.rowsDone.toLocaleString('en-US') + ' rows loaded. Opening the dataset…';
        var f = document.createElement('form');
        f.method = 'post';
        f.action = '/datasets/current';
        [
          ['_csrf', csrf],
          ['dataset', String(s.datasetId)],
          ['back', '/datasets/' + s.datasetId],
        ].forEach(function (kv) {
          var i = document.createElement('input');
          i.type = 'hidden';
          i.name = kv[0];
          i.value = kv[1];
          f.appendChild(i);
        });
        document.body.appendChild(f);
        f.submit();
        return;
      }
      await new Promise(function (r) {
        setTimeout(r, 500);
      });
    }
  }
})();
