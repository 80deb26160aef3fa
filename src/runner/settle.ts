import type { Page, Request } from 'playwright-core'
import { keptSelector } from './engine.ts'

// Settle, then judge: after an action, wait until the page is quiet (the
// navigation it started has loaded, the requests it made have answered,
// the DOM has not changed for QUIET_MS since the action and since the
// document loaded: its own loading is the navigation's), so a single-page app is judged on
// what the customer sees, and the step's time includes the wait. Settling
// ends as soon as the page is quiet: a page already quiet costs one round
// trip. Meanwhile the page's own failures are noted (an uncaught
// exception, a request of the site's that failed), so the step that
// caused them fails in their words.

/** No DOM change for this long: the page has rendered what the action caused. */
export const QUIET_MS = 100
/** A request unanswered for this long is left to run (a long poll, a stream): the page is not waiting on it. */
export const REQUEST_PATIENCE_MS = 5000
/** Once its requests have answered, how long a page may keep changing before it is judged anyway (a ticker, an animation). */
export const QUIET_PATIENCE_MS = 3000

/** Requests a customer waits for: documents, data, code and styles (not images, fonts, media, beacons). */
const AWAITED = new Set(['document', 'fetch', 'xhr', 'script', 'stylesheet'])

interface Noted {
  at: number
  message: string
}

/** One tab's requests and errors, watched for the whole walk (listeners added once per page). */
export class PageWatch {
  private readonly pending = new Map<Request, number>()
  private readonly problems: Noted[] = []
  private changed: (() => void) | null = null

  constructor(private readonly page: Page) {
    page.on('request', (request) => {
      if (this.awaited(request)) this.pending.set(request, Date.now())
    })
    const done = (request: Request) => {
      if (this.pending.delete(request)) this.changed?.()
    }
    page.on('requestfinished', done)
    page.on('requestfailed', (request) => {
      done(request)
      const failure = request.failure()?.errorText ?? 'failed'
      // Aborted: the page moved on (a navigation, a cancelled fetch); not a failure of the site.
      if (failure.includes('ERR_ABORTED') || !this.awaited(request)) return
      this.note(`the page's request ${describeRequest(request)} failed: ${failure}`)
    })
    page.on('response', (response) => {
      const request = response.request()
      const status = response.status()
      const mainDocument = this.mainDocument(request)
      const data = request.resourceType() === 'fetch' || request.resourceType() === 'xhr'
      if ((mainDocument && status >= 400) || (data && status >= 500 && this.awaited(request))) {
        this.note(`${mainDocument ? `the page ${response.url()}` : `the page's request ${describeRequest(request)}`} answered HTTP ${status}${response.statusText() ? ` ${response.statusText()}` : ''}`)
      }
    })
    page.on('pageerror', (error) => {
      const message = (error.message || String(error)).split('\n')[0]!
      // Chromium's own notice, not an error of the page's code.
      if (/ResizeObserver loop/.test(message)) return
      this.note(`the page threw: ${message}`)
    })
  }

  private note(message: string): void {
    this.problems.push({ at: Date.now(), message })
  }

  /** The site's own requests (same host, or a sibling of it: api.shop.example for www.shop.example) and the main frame's documents. */
  private awaited(request: Request): boolean {
    if (!AWAITED.has(request.resourceType())) return false
    if (this.mainDocument(request)) return true
    return sameSite(request.url(), this.page.url())
  }

  /** A document of the tab itself (a service worker's request has no frame: not one). */
  private mainDocument(request: Request): boolean {
    try {
      return request.isNavigationRequest() && request.frame() === this.page.mainFrame()
    } catch {
      return false
    }
  }

  /** The first failure of the page's since `since` (epoch ms), in its own words. */
  problemSince(since: number): string | null {
    return this.problems.find((problem) => problem.at >= since)?.message ?? null
  }

  /** Resolves when no request made since `since` is waiting (each given REQUEST_PATIENCE_MS at most), or at `deadline`. */
  async requestsDone(since: number, deadline: number): Promise<void> {
    for (;;) {
      const now = Date.now()
      const waiting = [...this.pending.values()].filter((started) => started >= since && now - started < REQUEST_PATIENCE_MS)
      if (waiting.length === 0 || now >= deadline) return
      const nextPatience = Math.min(...waiting) + REQUEST_PATIENCE_MS
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, Math.min(nextPatience, deadline) - now))
        this.changed = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.changed = null
    }
  }

  /** Requests made since `since` still waiting. */
  waiting(since: number): number {
    const now = Date.now()
    return [...this.pending.values()].filter((started) => started >= since && now - started < REQUEST_PATIENCE_MS).length
  }
}

const watches = new WeakMap<Page, PageWatch>()

/** The watch of `page`, started on first use. */
export function watchOf(page: Page): PageWatch {
  let watch = watches.get(page)
  if (!watch) {
    watch = new PageWatch(page)
    watches.set(page, watch)
  }
  return watch
}

/**
 * After an action begun at `since`: waits for the page to be quiet, until
 * `deadline` at most. A navigation that does not load in time fails the
 * step (a page that never loads is broken); a page that keeps changing is
 * judged as it is.
 */
export async function settle(page: Page, since: number, deadline: number): Promise<void> {
  const watch = watchOf(page)
  // Quiet for QUIET_MS since the action at least: what it set off (a hash change, a timer) shows first.
  const quiet = page.mainFrame().locator(keptSelector({ op: 'quiet', ms: QUIET_MS, after: since }))
  for (let round = 0; round < 20 && Date.now() < deadline && !page.isClosed(); round++) {
    await page.waitForLoadState('load', { timeout: Math.max(1, deadline - Date.now()) })
    await watch.requestsDone(since, deadline)
    const patience = Math.min(deadline, Date.now() + QUIET_PATIENCE_MS)
    const calm = await quiet
      .waitFor({ state: 'attached', timeout: Math.max(1, patience - Date.now()) })
      .then(() => true)
      .catch(() => false)
    // Quiet, and nothing new started meanwhile: settled. Still changing after its patience: judged as it is.
    if (!calm || watch.waiting(since) === 0) return
  }
}

function describeRequest(request: Request): string {
  let path = request.url()
  try {
    const url = new URL(path)
    path = url.pathname + url.search
  } catch {
    /* keep it whole */
  }
  return `${request.method()} ${path.length > 80 ? `${path.slice(0, 79)}…` : path}`
}

/** Same host, or both under the same parent domain (www.shop.example and api.shop.example); any port. */
export function sameSite(url: string, pageUrl: string): boolean {
  try {
    const a = new URL(url).hostname
    const b = new URL(pageUrl).hostname
    if (a === b) return true
    const parent = (host: string) => (/^[\d.]+$|:/.test(host) ? host : host.split('.').slice(-2).join('.'))
    return parent(a) === parent(b)
  } catch {
    return false
  }
}
