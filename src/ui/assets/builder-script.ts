// The promise form's "Build by clicking" (src/ui/journey-builder.tsx), served
// in the pages' one script (CSP: 'self'). It opens a builder session
// (POST /api/v1/builder/sessions with the session's CSRF token), shows the
// page's picture, turns a click on it into the point in the page's own CSS
// pixels, and asks the session to click, type or check there. A step the
// session walked is appended to the steps; one that failed is said, not
// added. Done, saving the form or leaving the page closes the session.

export const builderScript = `
(function () {
  var builder = document.getElementById('builder');
  var form = document.querySelector('form[data-promise-form]');
  if (!builder || !form) return;
  builder.hidden = false;
  var csrf = form.querySelector('input[name=_csrf]').value;
  var journey = form.querySelector('#journey');
  var address = builder.querySelector('#builder-address');
  var addressError = builder.querySelector('#builder-address-error');
  var open = builder.querySelector('#builder-open');
  var live = builder.querySelector('#builder-live');
  var picture = builder.querySelector('#builder-picture');
  var screen = builder.querySelector('#builder-screen');
  var status = builder.querySelector('#builder-status');
  var clicks = builder.querySelector('#builder-clicks');
  var url = builder.querySelector('#builder-url');
  var typeBox = builder.querySelector('#builder-type');
  var fieldName = builder.querySelector('#builder-field');
  var verb = builder.querySelector('#builder-verb');
  var value = builder.querySelector('#builder-value');
  var enter = builder.querySelector('#builder-enter');
  var base = '/api/v1/builder/sessions';
  var id = null;
  var busy = false;
  var point = null;

  function firstPage() {
    var m = /^\\s*go to\\s+"?([^"\\s]+)"?\\s*$/im.exec(journey.value);
    return m ? m[1] : '';
  }
  address.value = firstPage();
  journey.addEventListener('change', function () { if (!id && !address.value) address.value = firstPage(); });

  function say(text, bad) {
    status.textContent = text;
    status.className = bad ? 'error' : 'muted small';
  }
  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }
  function call(method, path, body) {
    var init = { method: method, credentials: 'same-origin', headers: { 'x-csrf-token': csrf, accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(base + path, init).then(function (r) {
      if (r.status === 204) return { ok: true, status: 204, body: null };
      return r.json().then(function (b) { return { ok: r.ok, status: r.status, body: b }; }, function () { return { ok: r.ok, status: r.status, body: {} }; });
    });
  }
  function setBusy(on) {
    busy = on;
    screen.classList.toggle('busy', on);
    screen.setAttribute('aria-busy', on ? 'true' : 'false');
  }
  function mode() {
    var checked = builder.querySelector('input[name=builder-mode]:checked');
    return checked ? checked.value : 'click';
  }
  function show(o) {
    if (o.screenshot) picture.src = o.screenshot;
    if (o.url) url.textContent = o.url;
    if (typeof o.totalClicks === 'number') clicks.textContent = plural(o.totalClicks, 'click', 'clicks') + ' so far';
  }
  function append(step) {
    var text = journey.value.replace(/\\s+$/, '');
    journey.value = (text ? text + '\\n' : '') + step;
    journey.dispatchEvent(new Event('input', { bubbles: true }));
  }
  function ended(message) {
    id = null;
    live.hidden = true;
    open.disabled = false;
    typeBox.hidden = true;
    say('');
    addressError.textContent = message || '';
  }
  function failed(answer) {
    if (answer.status === 404) return ended('The builder session ended (it was idle too long). Open it again to go on.');
    say((answer.body && answer.body.detail) || 'The builder did not answer.', true);
  }
  function outcome(o) {
    show(o);
    if (o.field) {
      var list = o.field.kind === 'select';
      verb.textContent = list ? 'What to choose in' : 'What to type into';
      fieldName.textContent = o.field.name ? '“' + o.field.name + '”' : (list ? 'the list' : 'the field');
      typeBox.hidden = false;
      value.focus();
      say(list ? 'That is a list: type the option the customer chooses, then “Type it”.' : 'That is a field: type what the customer types, then “Type it”.');
      return;
    }
    if (o.ok && o.step) {
      append(o.step);
      say('Added and tried: ' + o.step + (o.clicks ? ' (' + plural(o.clicks, 'click', 'clicks') + ')' : '') + '.');
    } else say(o.error || 'No step was added.', true);
  }
  function act(path, body) {
    if (!id || busy) return Promise.resolve();
    setBusy(true);
    say('Trying it in Kept’s browser…');
    return call('POST', '/' + id + path, body).then(function (answer) {
      setBusy(false);
      if (!answer.ok) return failed(answer);
      outcome(answer.body);
    }, function () { setBusy(false); say('Kept did not answer: try again.', true); });
  }

  open.addEventListener('click', function () {
    if (busy) return;
    addressError.textContent = '';
    var steps = journey.value.trim();
    var hasStart = /^\\s*go to\\s/im.test(steps);
    var body = hasStart ? { journey: journey.value } : { url: address.value.trim() };
    if (!hasStart && !body.url) {
      addressError.textContent = 'Give the address of the first page, like https://shop.example.com';
      address.focus();
      return;
    }
    open.disabled = true;
    say(hasStart ? 'Walking your steps so far in Kept’s browser…' : 'Opening the page in Kept’s browser…');
    live.hidden = false;
    setBusy(true);
    call('POST', '', body).then(function (answer) {
      setBusy(false);
      if (!answer.ok) {
        var problem = answer.body || {};
        ended((problem.errors && problem.errors[0] && problem.errors[0].message) || problem.detail || 'The builder could not open the page.');
        return;
      }
      id = answer.body.id;
      show(answer.body);
      if (!hasStart) append(answer.body.step);
      say('Click on the picture as a customer would. Each step is tried before it is added.');
    }, function () { setBusy(false); ended('Kept did not answer: try again.'); });
  });

  picture.addEventListener('click', function (event) {
    if (!id || busy || !picture.naturalWidth) return;
    var box = picture.getBoundingClientRect();
    var x = Math.round((event.clientX - box.left) * picture.naturalWidth / box.width);
    var y = Math.round((event.clientY - box.top) * picture.naturalHeight / box.height);
    var m = mode();
    if (m === 'fill') {
      point = { x: x, y: y };
      verb.textContent = 'What to type into';
      fieldName.textContent = 'the field you pointed at';
      typeBox.hidden = false;
      value.focus();
      return;
    }
    typeBox.hidden = true;
    if (m === 'expect') return act('/expect', { x: x, y: y });
    point = { x: x, y: y };
    act('/click', point);
  });

  function typeIt() {
    if (!point) return say('Click on the field in the picture first.', true);
    var body = { x: point.x, y: point.y, value: value.value };
    if (enter.checked) body.press = 'Enter';
    act('/fill', body).then(function () {
      if (status.className !== 'error') {
        typeBox.hidden = true;
        value.value = '';
        enter.checked = false;
      }
    });
  }
  builder.querySelector('#builder-type-add').addEventListener('click', typeIt);
  value.addEventListener('keydown', function (event) {
    // Enter here types the text; it never submits the promise.
    if (event.key === 'Enter') { event.preventDefault(); typeIt(); }
  });
  address.addEventListener('keydown', function (event) {
    if (event.key === 'Enter') { event.preventDefault(); open.click(); }
  });
  builder.querySelector('#builder-refresh').addEventListener('click', function () {
    if (!id || busy) return;
    call('GET', '/' + id).then(function (answer) { if (answer.ok) show(answer.body); else failed(answer); });
  });
  builder.querySelectorAll('[data-builder-scroll]').forEach(function (button) {
    button.addEventListener('click', function () {
      if (!id || busy) return;
      setBusy(true);
      call('POST', '/' + id + '/scroll', { dy: Number(button.dataset.builderScroll) }).then(function (answer) {
        setBusy(false);
        if (answer.ok) show(answer.body); else failed(answer);
      }, function () { setBusy(false); });
    });
  });
  function close(keepalive) {
    if (!id) return;
    fetch(base + '/' + id, { method: 'DELETE', credentials: 'same-origin', headers: { 'x-csrf-token': csrf }, keepalive: keepalive });
    id = null;
  }
  builder.querySelector('#builder-done').addEventListener('click', function () {
    close(false);
    ended('');
  });
  form.addEventListener('submit', function () { close(true); });
  window.addEventListener('pagehide', function () { close(true); });
})();
`
