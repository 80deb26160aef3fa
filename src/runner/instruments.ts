import type { BrowserContext } from 'playwright-core'

// Measures taken by the browser itself, in every document of a context
// (every page, frame and navigation): clicks and Largest Contentful Paint.
// The same for plain-language journeys and code checks, since both drive
// the same context.

// Documents report to the runner through console.debug messages that
// start with MARK. A console message is a one-way event; an exposed
// binding would answer every call with an evaluation in the page's world,
// which costs a round trip per click and Playwright's script loaded into
// every document a second time.
const MARK = '__kept:'

/**
 * Runs in every document before its own scripts. A click counts when it is
 * trusted and comes from a pointer (mouse, finger, pen): keyboard
 * activations and script-made clicks do not count. A tap makes one click
 * (the browser's compatibility click), so it counts once; a tap whose
 * touchend the page cancelled makes no click and counts at touchend.
 * Clicks the browser derives in the same task (a label forwarding its
 * click to its checkbox) count once. A double click is one gesture: its
 * second click (detail 2) does not count.
 *
 * Plain JavaScript in a string: a function would be serialised as the
 * TypeScript loader compiled it, helpers included, which the page lacks.
 */
const DOCUMENT_SCRIPT = `(() => {
  if (window.__keptInstrumented) return;
  Object.defineProperty(window, '__keptInstrumented', { value: true });
  // Taken before the page's own scripts run: a page that silences its
  // console later does not silence ours.
  const debug = console.debug.bind(console);
  const report = function (kind, value) {
    try { debug(${JSON.stringify(MARK)} + kind + ':' + value); } catch (e) { /* the document unloads */ }
  };
  let sameTask = false;
  const count = function () {
    if (sameTask) return;
    sameTask = true;
    setTimeout(function () { sameTask = false; }, 0);
    report('click', 1);
  };
  window.addEventListener('click', function (event) {
    if (event.isTrusted && event.detail < 2 && (event.detail === 1 || Boolean(event.pointerType))) count();
  }, true);
  window.addEventListener('touchend', function (event) {
    if (event.isTrusted && event.defaultPrevented) count();
  });
  try {
    new PerformanceObserver(function (list) {
      for (const entry of list.getEntries()) report('lcp', entry.startTime);
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  } catch (e) { /* no LCP in this document */ }
})();`

export interface Instruments {
  /** Clicks (and taps) counted so far in this context. */
  clicks(): number
  /** The largest LCP of any document so far, in ms; undefined when none painted. */
  lcpMs(): number | undefined
}

export async function instrumentContext(context: BrowserContext): Promise<Instruments> {
  let clicks = 0
  let lcp: number | undefined
  context.on('console', (message) => {
    if (message.type() !== 'debug') return
    const text = message.text()
    if (!text.startsWith(MARK)) return
    const [kind, raw] = text.slice(MARK.length).split(':')
    const value = Number(raw)
    if (kind === 'click') clicks += 1
    else if (kind === 'lcp' && Number.isFinite(value)) lcp = Math.max(lcp ?? 0, value)
  })
  await context.addInitScript({ content: DOCUMENT_SCRIPT })
  return { clicks: () => clicks, lcpMs: () => (lcp === undefined ? undefined : Math.round(lcp)) }
}
