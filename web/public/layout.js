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
  sel.addEventListener('change', function () { sel.form.submit(); });
});
