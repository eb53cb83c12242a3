// Layout behaviour: the dataset picker submits when changed.
document.querySelectorAll('form[data-autosubmit] select').forEach(function (sel) {
  sel.addEventListener('change', function () {
    var back = sel.form.querySelector('input[name=back]');
    if (back && !back.value) back.value = location.pathname + location.search;
    sel.form.submit();
  });
});
// Destructive forms ask first.
document.querySelectorAll('form[data-confirm]').forEach(function (form) {
  form.addEventListener('submit', function (e) {
    if (!window.confirm(form.getAttribute('data-confirm'))) e.preventDefault();
  });
});
// Filters that are plain GET forms submit when changed.
document.querySelectorAll('select[data-autosubmit-get]').forEach(function (sel) {
  sel.addEventListener('change', function () {
    sel.form.submit();
  });
});
// Copy buttons: data-copy names the data-testid of the element whose text is copied. The
// clipboard API exists only on secure pages (https or localhost); elsewhere the text is selected
// and copied the old way.
document.querySelectorAll('button[data-copy]').forEach(function (btn) {
  btn.addEventListener('click', function () {
    var el = document.querySelector('[data-testid="' + btn.getAttribute('data-copy') + '"]');
    if (!el) return;
    var text = el.textContent.trim();
    var done = function () {
      var was = btn.textContent;
      btn.textContent = 'Copied';
      setTimeout(function () {
        btn.textContent = was;
      }, 1500);
    };
    var fallback = function () {
      var range = document.createRange();
      range.selectNodeContents(el);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      if (document.execCommand('copy')) done();
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  });
});
