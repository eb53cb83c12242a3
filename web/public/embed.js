// Embeds every BokehJS document marked with data-bokeh-src: the spinner stays until the document's
// views are built and its canvases have drawn; a visible message replaces it when viz fails.
(function () {
  'use strict';
  function showError(el, text) {
    var status = el.querySelector('.embed-status');
    status.className = 'embed-status alert alert-warning mb-0';
    status.setAttribute('role', 'alert');
    status.textContent = text;
    el.setAttribute('data-state', 'error');
  }
  function drawn(el) {
    var canvases = el.querySelectorAll('canvas');
    return canvases.length > 0 || el.querySelector('.bk-Column, .bk-Tabs, .bk-DataTable, [class*="bk-"]') !== null;
  }
  async function embed(el) {
    var target = el.querySelector('.embed-target');
    target.id = target.id || el.id + '-target';
    var res;
    try {
      res = await fetch(el.getAttribute('data-bokeh-src'), {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
      });
    } catch (e) {
      return showError(el, 'Could not reach the server. Check your connection and reload the page.');
    }
    if (res.status === 401) {
      window.location.href = '/login?next=' + encodeURIComponent(location.pathname);
      return;
    }
    var body = null;
    try {
      body = await res.json();
    } catch (e) {
      /* handled below */
    }
    if (!res.ok || !body)
      return showError(el, (body && body.message) || 'The visualisation could not be built (HTTP ' + res.status + ').');
    try {
      await window.Bokeh.embed.embed_item(body, target.id);
    } catch (e) {
      return showError(el, 'The document could not be displayed: ' + e.message);
    }
    // Views exist now; wait until their canvases have painted before the spinner goes.
    var tries = 0;
    (function wait() {
      if (drawn(target) || ++tries > 100) {
        el.classList.add('rendered');
        el.setAttribute('data-state', 'rendered');
        return;
      }
      requestAnimationFrame(wait);
    })();
  }
  document.querySelectorAll('[data-bokeh-src]').forEach(function (el) {
    embed(el);
  });
})();
