// Run Tests page: follows a live run's output (Server-Sent Events) and sizes the embedded report
// so that it never needs its own scrollbar, also when the report expands or collapses a section.
(function () {
  var out = document.getElementById('run-output');
  if (out && out.dataset.events && window.EventSource) {
    var atBottom = function () {
      return out.scrollHeight - out.scrollTop - out.clientHeight < 40;
    };
    var first = true;
    var es = new EventSource(out.dataset.events);
    es.addEventListener('output', function (e) {
      var follow = atBottom();
      var text = JSON.parse(e.data);
      // The first event repeats what the page already shows.
      if (first) {
        out.textContent = text;
        first = false;
      } else {
        out.textContent += text;
      }
      if (follow) out.scrollTop = out.scrollHeight;
    });
    es.addEventListener('end', function () {
      es.close();
      out.dataset.state = 'ended';
      // The finished run's page shows its counts and reports.
      window.location.reload();
    });
  }

  document.querySelectorAll('iframe[data-fit-content]').forEach(function (frame) {
    var observers = [];
    var pending = false;
    function contentHeight(doc) {
      var body = doc.body;
      if (!body) return 0;
      var win = doc.defaultView;
      // The bottom of the lowest child: right even when the report styles html/body at 100 %
      // height (then scrollHeight never shrinks below the frame).
      var bottom = 0;
      for (var i = 0; i < body.children.length; i++) {
        var r = body.children[i].getBoundingClientRect();
        if (r.height > 0) bottom = Math.max(bottom, r.bottom + win.scrollY);
      }
      var style = win.getComputedStyle(body);
      bottom += parseFloat(style.marginBottom) + parseFloat(style.paddingBottom) + parseFloat(style.borderBottomWidth);
      return Math.ceil(bottom);
    }
    function fit() {
      pending = false;
      var doc;
      try {
        doc = frame.contentDocument;
      } catch (e) {
        return;
      }
      if (!doc || !doc.documentElement) return;
      var h = contentHeight(doc);
      if (h > 0 && Math.abs(frame.clientHeight - h) > 1) frame.style.height = h + 'px';
      // Anything still overflowing (absolutely placed content) grows the frame too.
      var el = doc.scrollingElement || doc.documentElement;
      if (el.scrollHeight > el.clientHeight + 1) frame.style.height = el.scrollHeight + 'px';
    }
    function schedule() {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(fit);
    }
    frame.addEventListener('load', function () {
      observers.forEach(function (o) {
        o.disconnect();
      });
      observers = [];
      var doc = frame.contentDocument;
      if (!doc || !doc.body) return;
      var ro = new ResizeObserver(schedule);
      ro.observe(doc.documentElement);
      ro.observe(doc.body);
      for (var i = 0; i < doc.body.children.length; i++) ro.observe(doc.body.children[i]);
      var mo = new MutationObserver(function () {
        for (var j = 0; j < doc.body.children.length; j++) ro.observe(doc.body.children[j]);
        schedule();
      });
      mo.observe(doc.body, { childList: true, subtree: true, attributes: true, characterData: true });
      observers.push(ro, mo);
      doc.addEventListener('transitionend', schedule, true);
      doc.addEventListener(
        'click',
        function () {
          window.setTimeout(schedule, 50);
        },
        true,
      );
      fit();
    });
    window.addEventListener('resize', schedule);
  });
})();
