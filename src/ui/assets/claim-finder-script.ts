// The promise form's "Find the promises my site makes" (src/ui/claim-finder.tsx),
// served in the pages' one script after script.ts (CSP: 'self'). It shows the
// panel, asks POST /api/v1/claims/discover with the session's CSRF token, lists
// the claims with their pages (text from the site is set as text, never as
// HTML), and one click copies a claim into the form: title, budgets, and
// `go to <page>` as the first step of an empty journey. The form's own script
// then validates as if the owner had typed it.

export const claimFinderScript = `
(function () {
  var finder = document.getElementById('claim-finder');
  var form = document.querySelector('form[data-promise-form]');
  if (!finder || !form) return;
  finder.hidden = false;
  var csrf = form.querySelector('input[name=_csrf]').value;
  var site = finder.querySelector('#claim-site');
  var pages = finder.querySelector('#claim-pages');
  var find = finder.querySelector('#claim-find');
  var status = finder.querySelector('#claim-status');
  var results = finder.querySelector('#claim-results');
  var skipped = finder.querySelector('#claim-skipped');
  var fields = {
    url: { input: site, error: finder.querySelector('#claim-site-error') },
    maxPages: { input: pages, error: finder.querySelector('#claim-pages-error') },
  };
  var found = [];

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text != null) e.textContent = text;
    return e;
  }
  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }
  function say(text, bad) {
    status.textContent = text;
    status.className = bad ? 'error' : 'muted small';
  }
  function clearErrors() {
    Object.keys(fields).forEach(function (key) {
      fields[key].input.removeAttribute('aria-invalid');
      fields[key].error.textContent = '';
    });
  }
  function fieldError(key, message) {
    fields[key].input.setAttribute('aria-invalid', 'true');
    fields[key].error.textContent = message;
  }
  function measure(c) {
    if (c.kind === 'clicks') return plural(c.value, 'click', 'clicks');
    return c.value >= 60 && c.value % 60 === 0 ? c.value / 60 + ' min' : c.value + ' s';
  }
  function pageLink(url) {
    var a = el('a', '', url);
    if (/^https?:/i.test(url)) {
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
    }
    return a;
  }

  function show(answer) {
    found = answer.claims;
    results.textContent = '';
    answer.claims.forEach(function (c, i) {
      var item = el('li');
      var what = el('div');
      var quote = el('p', 'claim-text');
      quote.appendChild(el('span', 'claim-measure', measure(c)));
      quote.appendChild(document.createTextNode(' “' + c.text + '”'));
      what.appendChild(quote);
      var where = el('p', 'muted small', 'on ');
      where.appendChild(pageLink(c.pageUrl));
      if (c.alsoOn.length) where.appendChild(document.createTextNode(' and ' + plural(c.alsoOn.length, 'more page', 'more pages')));
      what.appendChild(where);
      item.appendChild(what);
      var use = el('button', 'btn secondary small', 'Use this promise');
      use.type = 'button';
      use.dataset.claim = String(i);
      use.setAttribute('aria-label', 'Use this promise: ' + c.text);
      item.appendChild(use);
      results.appendChild(item);
    });
    var list = skipped.querySelector('ul');
    list.textContent = '';
    answer.skipped.forEach(function (s) {
      var item = el('li');
      item.appendChild(pageLink(s.pageUrl));
      item.appendChild(document.createTextNode(': ' + s.reason));
      list.appendChild(item);
    });
    skipped.querySelector('summary').textContent = plural(answer.skipped.length, 'page skipped', 'pages skipped');
    skipped.hidden = answer.skipped.length === 0;
    var read = plural(answer.pages, 'page', 'pages') + ' read';
    say(answer.claims.length
      ? plural(answer.claims.length, 'promise', 'promises') + ' found on ' + read + '. Use one to fill in the form.'
      : 'No promise in clicks or time on the ' + read + '.');
  }

  function run() {
    clearErrors();
    var url = site.value.trim();
    if (!url) {
      fieldError('url', 'Enter your site’s address, like https://shop.example.com.');
      site.focus();
      return;
    }
    var maxPages = Number(pages.value || pages.defaultValue);
    find.disabled = true;
    results.textContent = '';
    skipped.hidden = true;
    say('Reading up to ' + plural(maxPages, 'page', 'pages') + ' of ' + url + ' in a real browser. This can take a minute.');
    fetch('/api/v1/claims/discover', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ url: url, maxPages: maxPages }),
    })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body || {} }; }); })
      .then(function (answer) {
        if (answer.ok) return show(answer.body);
        var errors = (answer.body.errors || []).filter(function (e) { return fields[e.path]; });
        errors.forEach(function (e) { fieldError(e.path, e.message); });
        if (errors.length) {
          say('Kept cannot read that: see the message below the field.', true);
          fields[errors[0].path].input.focus();
        } else {
          say('Kept could not read your site: ' + (answer.body.detail || 'something went wrong') + '.', true);
        }
      })
      .catch(function () { say('Kept could not be reached. Try again in a moment.', true); })
      .then(function () { find.disabled = false; });
  }
  find.addEventListener('click', run);
  [site, pages].forEach(function (input) {
    input.addEventListener('keydown', function (event) {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      run();
    });
  });

  results.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-claim]');
    var c = button && found[Number(button.dataset.claim)];
    if (!c) return;
    var title = form.querySelector('#title');
    title.value = c.suggested.title;
    ['maxClicks', 'maxSeconds'].forEach(function (key) {
      var input = form.querySelector('#budget-' + key);
      if (input) input.value = c.suggested.budgets[key] != null ? String(c.suggested.budgets[key]) : '';
    });
    var journey = form.querySelector('#journey');
    if (journey && !journey.value.trim()) journey.value = 'go to ' + c.pageUrl;
    title.dispatchEvent(new Event('input', { bubbles: true }));
    if (journey) journey.dispatchEvent(new Event('input', { bubbles: true }));
    say('Copied into the form: “' + c.suggested.title + '”. Add the steps a customer takes, then save.');
    title.focus();
  });
})();
`
