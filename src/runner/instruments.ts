import type { BrowserContext } from 'playwright-core'

// Measures taken by the browser itself, in every document of a context
// (every page, frame and navigation): clicks and Largest Contentful Paint.
// The same for plain-language journeys and code checks, since both drive
// the same context.

const BINDING = '__keptReport'

/**
 * Runs in every document before its own scripts. A click counts when it is
 * trusted and comes from a pointer (mouse, finger, pen): keyboard
 * activations and script-made clicks do not count. A tap makes one click
 * (the browser's compatibility click), so it counts once; a tap whose
 * touchend the page cancelled makes no click and counts at touchend.
 * Clicks the browser derives in the same task (a label forwarding its
 * click to its checkbox) count once.
 */
function instrumentDocument(binding: string) {
  const w = window as unknown as Record<string, unknown>
  if (w.__keptInstrumented) return
  Object.defineProperty(w, '__keptInstrumented', { value: true })
  const report = (kind: string, value: number) => {
    try {
      ;(w[binding] as (kind: string, value: number) => void)(kind, value)
    } catch {
      // the binding is gone while the document unloads
    }
  }
  let sameTask = false
  const count = () => {
    if (sameTask) return
    sameTask = true
    setTimeout(() => (sameTask = false), 0)
    report('click', 1)
  }
  window.addEventListener(
    'click',
    (event) => {
      const pointerType = (event as PointerEvent).pointerType
      if (event.isTrusted && (event.detail > 0 || Boolean(pointerType))) count()
    },
    true,
  )
  window.addEventListener('touchend', (event) => {
    if (event.isTrusted && event.defaultPrevented) count()
  })
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) report('lcp', entry.startTime)
    }).observe({ type: 'largest-contentful-paint', buffered: true })
  } catch {
    // no LCP in this browser or document
  }
}

export interface Instruments {
  /** Clicks (and taps) counted so far in this context. */
  clicks(): number
  /** The largest LCP of any document so far, in ms; undefined when none painted. */
  lcpMs(): number | undefined
}

export async function instrumentContext(context: BrowserContext): Promise<Instruments> {
  let clicks = 0
  let lcp: number | undefined
  await context.exposeBinding(BINDING, (_source, kind: unknown, value: unknown) => {
    if (kind === 'click') clicks += 1
    else if (kind === 'lcp' && typeof value === 'number' && Number.isFinite(value)) lcp = Math.max(lcp ?? 0, value)
  })
  await context.addInitScript(instrumentDocument, BINDING)
  return { clicks: () => clicks, lcpMs: () => (lcp === undefined ? undefined : Math.round(lcp)) }
}
