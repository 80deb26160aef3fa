// The pages' only script, served at /assets/kept.<hash>.js (CSP: 'self').
// Every page works without it. On the promise page it keeps the live
// status current: "walking now" until the walk is recorded, then the page
// redraws itself with it (no reload), and the countdown to the next walk.
// On run pages, "Copy for the tech team" copies the note to the clipboard.
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
  // Said to screen readers when the page has redrawn itself: the live line is redrawn too.
  var announcer = document.createElement('p');
  announcer.className = 'visually-hidden';
  announcer.setAttribute('aria-live', 'polite');
  document.body.appendChild(announcer);
  var lastRun, walking, next;
  function read() {
    lastRun = live.dataset.lastRun || '';
    walking = live.dataset.walking === '1';
    next = live.dataset.next ? Date.parse(live.dataset.next) : NaN;
  }
  read();
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
  // A new run is recorded: the page draws itself again in place (no reload,
  // and the notice that said a walk was coming is gone with the address).
  function redraw() {
    return fetch(location.pathname + location.search, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var fresh = html && new DOMParser().parseFromString(html, 'text/html').querySelector('main');
        var main = document.querySelector('main');
        if (!fresh || !main || !fresh.querySelector('#live-status')) return;
        main.replaceChildren.apply(main, Array.prototype.slice.call(fresh.childNodes));
        live = document.getElementById('live-status');
        read();
        render();
        if (window.keptEnhance) window.keptEnhance(main);
        var verdict = main.querySelector('#latest-verdict .verdict-sentence');
        announcer.textContent = 'The walk is recorded. ' + (verdict ? verdict.textContent : '');
      });
  }
  function poll() {
    return fetch(live.dataset.live, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        if (s.lastRunId && s.lastRunId !== lastRun) return redraw();
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

// "Copy for the tech team": the note's text to the clipboard, said when done;
// where the clipboard is out of reach, the note opens selected.
(function () {
  function enhance(root) {
    Array.prototype.forEach.call(root.querySelectorAll('button[data-copy]'), function (button) {
      if (document.getElementById(button.dataset.copy)) button.hidden = false;
    });
  }
  window.keptEnhance = enhance;
  enhance(document);
  function copied(id, ok) {
    var said = document.querySelector('[data-copied="' + id + '"]');
    if (ok) {
      if (said) said.textContent = 'Copied: paste it into an email or a chat.';
      return;
    }
    var note = document.getElementById(id);
    var details = note && note.closest('details');
    if (details) details.open = true;
    if (note) window.getSelection().selectAllChildren(note);
    if (said) said.textContent = 'Selected: copy it with Ctrl+C (or Cmd+C).';
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('button[data-copy]');
    if (!button) return;
    var id = button.dataset.copy;
    var note = document.getElementById(id);
    if (!note) return;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(note.textContent).then(function () { copied(id, true); }, function () { copied(id, false); });
    } else {
      copied(id, false);
    }
  });
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
        // One error a line, in words: the columns are for the API's callers.
        var lines = errors.slice(0, 5).map(function (e) { return 'Line ' + e.line + ': ' + e.message + '.'; });
        if (errors.length > 5) lines.push('… and ' + (errors.length - 5) + ' more.');
        journeyError.textContent = lines.join('\\n');
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
