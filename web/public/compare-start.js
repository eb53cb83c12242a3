// The Train page's "Compare all models": queues a comparison with the chosen budget and opens its page.
(function () {
  'use strict';
  var card = document.getElementById('compare-start');
  if (!card) return;
  var go = document.getElementById('compare-go');
  var error = document.getElementById('compare-start-error');
  go.addEventListener('click', async function () {
    error.classList.add('d-none');
    go.disabled = true;
    var budget = Number(document.getElementById('compare-budget').value);
    var res = await fetch('/api/compare', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-csrf-token': card.getAttribute('data-csrf'),
      },
      body: JSON.stringify({ dataset: Number(card.getAttribute('data-dataset')), budgetMinutes: budget }),
    });
    var body = await res.json().catch(function () {
      return null;
    });
    if (res.status === 202 && body) {
      window.location.href = body.page;
      return;
    }
    error.textContent = (body && body.message) || 'The comparison could not start (HTTP ' + res.status + ').';
    error.classList.remove('d-none');
    go.disabled = false;
  });
})();
