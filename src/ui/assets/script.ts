// The pages' only script, served at /assets/kept.<hash>.js (CSP: 'self').
// Every page works without it; it adds, on the promise form:
// - live validation of the journey (line and column of the first errors),
// - budgets suggested from the promise's wording while it is typed,
//   never over a number the owner typed,
// - a busy state on "Try it now", which walks the journey in a browser.

export const script = `
(function () {
  var form = document.querySelector('form[data-promise-form]');
  if (!form) return;
  var csrf = form.querySelector('input[name=_csrf]').value;
  var journey = form.querySelector('#journey');
  var journeyError = form.querySelector('#journey-error');
  var journeyOk = form.querySelector('#journey-ok');
  var title = form.querySelector('#title');
  var budgetFields = ['maxClicks', 'maxSeconds', 'maxStepSeconds']
    .map(function (name) { return form.querySelector('#budget-' + name); })
    .filter(Boolean);
  // A budget follows the wording only while it is empty or still shows the
  // last suggestion: what the owner typed is never replaced. And only when
  // the wording changes, so editing the journey leaves budgets alone.
  var lastSuggested = {};
  budgetFields.forEach(function (input) { lastSuggested[input.id] = input.dataset.suggested || ''; });
  var lastTitle = title.value;

  function check(body) {
    return fetch('/promises/validate', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body),
    }).then(function (r) { return r.ok ? r.json() : null; });
  }

  var timer = null;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var sentTitle = title.value;
      check({ journey: journey.value, title: sentTitle }).then(function (result) {
        if (!result) return;
        var errors = result.errors || [];
        journeyError.textContent = errors.map(function (e) {
          return 'Line ' + e.line + ', column ' + e.column + ': ' + e.message;
        }).join('\\n');
        journey.setAttribute('aria-invalid', errors.length && journey.value.trim() ? 'true' : 'false');
        journeyOk.textContent = !errors.length && journey.value.trim()
          ? 'Looks good: ' + result.steps + (result.steps === 1 ? ' step.' : ' steps.') : '';
        if (sentTitle === lastTitle) return;
        lastTitle = sentTitle;
        var suggested = result.budgets || {};
        var hint = form.querySelector('#budgets-hint');
        if (hint && result.budgetHint) hint.textContent = result.budgetHint;
        budgetFields.forEach(function (input) {
          var key = input.id.replace('budget-', '');
          var next = suggested[key] != null ? String(suggested[key]) : '';
          if (input.value === '' || input.value === lastSuggested[input.id]) input.value = next;
          lastSuggested[input.id] = next;
        });
      }).catch(function () {});
    }, 300);
  }
  journey.addEventListener('input', schedule);
  title.addEventListener('input', schedule);

  form.addEventListener('submit', function (event) {
    var button = event.submitter;
    if (!button || button.value !== 'try') return;
    var status = document.querySelector('#try-status');
    if (status) status.textContent = 'Walking the journey in a real browser. This takes a few seconds.';
    setTimeout(function () { button.disabled = true; }, 0);
  });
})();
`
