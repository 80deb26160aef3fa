// The pages' only script, served at /assets/kept.<hash>.js (CSP: 'self').
// Every page works without it. On the promise page it keeps the live
// status current: "walking now" until the walk is recorded, then the page
// shows it (no reload by hand), and the countdown to the next walk.
// On the promise form it adds:
// - live validation of the journey (line and column of the first errors),
// - budgets suggested from the promise's wording while it is typed,
//   never over a number the owner typed,
// - a busy state on "Try it now", which walks the journey in a browser.

export const script = `
(function () {
  var live = document.getElementById('live-status');
  if (!live) return;
  // A notice in the address (?notice=...) is said once: a reload must not say it again.
  if (location.search.indexOf('notice=') >= 0 && window.history && history.replaceState) {
    var here = new URL(location.href);
    here.searchParams.delete('notice');
    history.replaceState(null, '', here.pathname + here.search + here.hash);
  }
  var lastRun = live.dataset.lastRun || '';
  var walking = live.dataset.walking === '1';
  var next = live.dataset.next ? Date.parse(live.dataset.next) : NaN;
  function countdown(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + ' s';
    var m = Math.floor(s / 60);
    if (m < 60) return m + ' min' + (s % 60 ? ' ' + (s % 60) + ' s' : '');
    var h = Math.floor(m / 60);
    return h + ' h' + (m % 60 ? ' ' + (m % 60) + ' min' : '');
  }
  function render() {
    if (walking || isNaN(next)) return;
    var ms = next - Date.now();
    live.textContent = ms > 0 ? 'Next walk in ' + countdown(ms) + '.' : 'The next walk is due now.';
  }
  function poll() {
    return fetch(live.dataset.live, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        if (s.lastRunId && s.lastRunId !== lastRun) { location.reload(); return; }
        if (s.walking && !walking) live.textContent = 'Walking now, in a real browser. The result shows here when it is recorded.';
        walking = Boolean(s.walking);
        live.className = walking ? 'live walking' : 'live';
        next = s.nextWalkAt ? Date.parse(s.nextWalkAt) : NaN;
      })
      .catch(function () {});
  }
  setInterval(render, 1000);
  // Every 2 s while a walk is on its way or due; every 15 s otherwise.
  (function loop() {
    var soon = walking || (!isNaN(next) && next - Date.now() < 5000);
    setTimeout(function () { poll().then(loop, loop); }, soon ? 2000 : 15000);
  })();
})();

(function () {
  var form = document.querySelector('form[data-promise-form]');
  if (!form) return;
  var csrf = form.querySelector('input[name=_csrf]').value;
  var journey = form.querySelector('#journey');
  var journeyError = form.querySelector('#journey-error');
  var journeyOk = form.querySelector('#journey-ok');
  var journeyWarnings = form.querySelector('#journey-warnings');
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
        showWarnings(result.warnings || []);
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
  // What the promise names that no step checks, each with its step to add in one click.
  function showWarnings(warnings) {
    if (!journeyWarnings) return;
    journeyWarnings.textContent = '';
    warnings.forEach(function (w) {
      var line = document.createElement('p');
      line.className = 'warn';
      line.appendChild(document.createTextNode(w.message + ' '));
      var add = document.createElement('button');
      add.type = 'button';
      add.className = 'btn secondary small';
      add.dataset.addStep = w.suggestion;
      add.appendChild(document.createTextNode('Add '));
      var code = document.createElement('code');
      code.textContent = w.suggestion;
      add.appendChild(code);
      line.appendChild(add);
      journeyWarnings.appendChild(line);
    });
  }
  if (journeyWarnings) {
    journeyWarnings.addEventListener('click', function (event) {
      var button = event.target.closest('button[data-add-step]');
      if (!button) return;
      var text = journey.value.replace(/\\s+$/, '');
      journey.value = (text ? text + '\\n' : '') + button.dataset.addStep;
      journey.focus();
      schedule();
    });
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
