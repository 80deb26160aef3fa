import type { BrowserContext, Page } from 'playwright-core'
import robotsModule from 'robots-parser'
import { extractClaims, type Claim } from '../domain/claims/extract.ts'
import { DISCOVERY_LIMITS, discoveredClaims, followedLink, type DiscoverRequest, type Discovery, type SkippedPage } from '../domain/claims/discovery.ts'
import { formatDuration, formatSeconds } from '../domain/format.ts'
import { parseAllowedTargets, type TargetPolicy } from '../domain/target-policy.ts'
import type { BrowserPool } from './browser-pool.ts'
import { contextOptionsFor } from './devices.ts'
import { blockedMessage, openNetworkGuard, type NetworkGuard } from './network-guard.ts'
import { describeError, withDeadline } from './walk.ts'

// Claim discovery: a bounded crawl of one site in a real browser, so copy a
// script renders after load is read too. Pages of the start page's origin
// only, breadth first, a few at once in one context behind the run's
// network guard (the target policy judges every connection, redirects
// included), robots.txt obeyed, each page and the whole crawl under a time
// limit. A page that fails is skipped with its reason; nothing throws for
// the site's failures.

export interface DiscoverOptions {
  /** What the browser may reach; default: KEPT_ALLOWED_TARGETS empty, no own services known. */
  targetPolicy?: TargetPolicy
  pageMs?: number
  totalMs?: number
  /** Each page as it is done, for progress lines. */
  onPage?: (event: PageEvent) => void
}

export type PageEvent = { pageUrl: string; claims: number } | { pageUrl: string; skipped: string }

// robots-parser is CommonJS whose types declare an ES default export: Node
// hands an ES module its module.exports, which is the parser function itself.
const robotsParser = robotsModule as unknown as typeof robotsModule.default

/** The token Kept's crawl reads robots.txt groups for (else `*`). */
export const ROBOTS_AGENT = 'Kept'
/** RFC 9309: a crawler parses at least 500 KiB of robots.txt. */
const ROBOTS_MAX_CHARS = 500 * 1024
/** After the document is in: how long script-rendered copy may take to settle (the network quiet). */
const SETTLE_MS = 1500
/** Reading a loaded page's text and links (a page whose script holds its main thread does not answer). */
const READ_MS = 2000
const MAX_TEXT_CHARS = 500_000
const MAX_LINKS = 500

// Plain JavaScript, evaluated as an expression: the page's visible text
// (what customers read, not hidden markup), its language and its links.
const READ_PAGE = `(() => {
  const links = [];
  for (const a of document.querySelectorAll('a[href], area[href]')) {
    if (links.length >= ${MAX_LINKS}) break;
    if (typeof a.href === 'string') links.push(a.href);
  }
  const text = document.body ? document.body.innerText : '';
  return { text: String(text).slice(0, ${MAX_TEXT_CHARS}), lang: document.documentElement.lang || '', links: links };
})()`

interface PageRead {
  pageUrl: string
  claims: Claim[]
  links: string[]
}

type Robots = ReturnType<typeof robotsParser>
/** An origin's robots.txt: its rules, or why nothing there may be read. */
type RobotsRules = { rules: Robots | null } | { refused: string }

/** Reads up to `maxPages` pages of the site at `url` and returns the claims they make. */
export async function discoverClaims(pool: BrowserPool, request: DiscoverRequest, options: DiscoverOptions = {}): Promise<Discovery> {
  const guard = await openNetworkGuard(options.targetPolicy ?? parseAllowedTargets(''))
  try {
    const context = await pool.newContext({ ...contextOptionsFor('desktop'), proxy: guard.proxy })
    try {
      await guard.attach(context)
      return await new Crawl(context, guard, request, options).run()
    } finally {
      await context.close().catch(() => {})
    }
  } finally {
    await guard.close()
  }
}

class Crawl {
  private readonly pageMs: number
  private readonly totalMs: number
  private readonly deadline: number
  private readonly robots = new Map<string, Promise<RobotsRules>>()
  private readonly queued: string[] = []
  private readonly seen = new Set<string>()
  /** Each page read, with the order it was taken in. */
  private readonly done: { order: number; claims: Claim[] }[] = []
  private readonly skipped: SkippedPage[] = []
  /** Readers waiting for a busy one to find more links. */
  private readonly waiting: (() => void)[] = []
  private busy = 0
  private taken = 0
  /** The start page: the one page whose redirect may move the crawl to another origin (http to https, to www.). */
  private readonly start: string
  private origin: string
  private pages = 0

  constructor(
    private readonly context: BrowserContext,
    private readonly guard: NetworkGuard,
    private readonly request: DiscoverRequest,
    private readonly options: DiscoverOptions,
  ) {
    this.pageMs = options.pageMs ?? DISCOVERY_LIMITS.pageMs
    this.totalMs = options.totalMs ?? DISCOVERY_LIMITS.totalMs
    this.deadline = Date.now() + this.totalMs
    const start = new URL(request.url)
    start.hash = ''
    this.start = start.href
    this.origin = start.origin
    this.enqueue(start.href)
  }

  /** A few readers at once take pages breadth first, until the pages, the links or the time run out. */
  async run(): Promise<Discovery> {
    await Promise.all(Array.from({ length: DISCOVERY_LIMITS.parallel }, () => this.reader()))
    // In the order the pages were taken, so the answer does not depend on which loaded first.
    const claims = this.done.sort((a, b) => a.order - b.order).flatMap((page) => page.claims)
    return { claims: discoveredClaims(claims), skipped: this.skipped, pages: this.pages }
  }

  private async reader(): Promise<void> {
    for (let next = await this.take(); next !== null; next = await this.take()) {
      const read = await this.read(next.pageUrl)
      if ('reason' in read) this.skip(next.pageUrl, read.reason)
      else {
        this.done.push({ order: next.order, claims: read.claims })
        this.options.onPage?.({ pageUrl: read.pageUrl, claims: read.claims.length })
        for (const link of read.links) {
          const followed = followedLink(link, this.origin)
          if (followed) this.enqueue(followed)
        }
      }
      this.busy -= 1
      this.wake()
    }
  }

  /** The next page to read; null when pages or time ran out, or nothing is left and no reader can find more. */
  private async take(): Promise<{ pageUrl: string; order: number } | null> {
    for (;;) {
      if (this.pages >= this.request.maxPages) return null
      if (Date.now() >= this.deadline) {
        for (const pageUrl of this.queued.splice(0, this.request.maxPages - this.pages)) this.skip(pageUrl, this.outOfTime())
        return null
      }
      const pageUrl = this.queued.shift()
      if (pageUrl === undefined) {
        if (this.busy === 0) return null
        await new Promise<void>((resolve) => this.waiting.push(resolve))
        continue
      }
      const order = this.taken++
      // Counted before robots.txt is asked, so readers together never take more than maxPages.
      this.pages += 1
      this.busy += 1
      const refused = await this.robotsRefusal(pageUrl)
      if (!refused) return { pageUrl, order }
      this.pages -= 1
      this.busy -= 1
      this.skip(pageUrl, refused)
      this.wake()
    }
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve()
  }

  private enqueue(pageUrl: string): void {
    if (this.seen.has(pageUrl) || this.seen.size >= DISCOVERY_LIMITS.frontier) return
    this.seen.add(pageUrl)
    this.queued.push(pageUrl)
  }

  private outOfTime(): string {
    return `not read: the discovery's time limit of ${formatDuration(this.totalMs)} ran out`
  }

  private skip(pageUrl: string, reason: string): void {
    if (this.skipped.length < DISCOVERY_LIMITS.skipped) this.skipped.push({ pageUrl, reason })
    this.options.onPage?.({ pageUrl, skipped: reason })
  }

  /** One page: loaded, given a moment to render, read; or the reason it could not be. */
  private async read(pageUrl: string): Promise<PageRead | { reason: string }> {
    const now = Date.now()
    const byTotal = this.deadline < now + this.pageMs
    const deadline = byTotal ? this.deadline : now + this.pageMs
    const late = () => `did not load within ${formatSeconds(deadline - now)}${byTotal ? ", the discovery's time limit" : ''}`
    let page: Page | null = null
    try {
      page = await this.context.newPage()
      let response
      try {
        response = await withDeadline(page.goto(pageUrl, { waitUntil: 'domcontentloaded', timeout: Math.max(1, deadline - Date.now()) }), deadline, late)
      } catch (error) {
        const blocked = this.guard.blocked()
        if (blocked && /ERR_TUNNEL|ERR_PROXY|ERR_EMPTY_RESPONSE|ERR_CONNECTION_CLOSED/.test(String(error))) return { reason: blockedMessage(blocked) }
        const why = describeError(error)
        return { reason: why === late() || /timed out/i.test(why) ? late() : `could not load: ${why}` }
      }
      const status = response?.status() ?? 200
      if (status >= 400) return { reason: `HTTP ${status}` }
      const type = (await response?.headerValue('content-type').catch(() => null)) ?? 'text/html'
      if (!/html/i.test(type)) return { reason: `not a web page (${type.split(';')[0]})` }
      const landed = new URL(page.url())
      if (landed.origin !== this.origin) {
        if (pageUrl !== this.start) return { reason: `redirected to another site (${landed.origin})` }
        this.origin = landed.origin
        const refused = await this.robotsRefusal(landed.href)
        if (refused) return { reason: refused }
      }
      // Copy a script renders: the load event, then a quiet network for a moment, within the page's time.
      const left = () => Math.max(1, deadline - Date.now())
      await page.waitForLoadState('load', { timeout: left() }).catch(() => {})
      await page.waitForLoadState('networkidle', { timeout: Math.min(left(), SETTLE_MS) }).catch(() => {})
      // Reading has a short limit of its own: a page that loaded is read even when settling took all its time.
      const unanswered = () => `did not answer within ${formatDuration(READ_MS)} once loaded`
      const seen = (await withDeadline(page.evaluate(READ_PAGE), Date.now() + READ_MS, unanswered)) as { text: string; lang: string; links: string[] }
      return { pageUrl: page.url(), claims: extractClaims(seen.text, { pageUrl: page.url(), lang: seen.lang }), links: seen.links }
    } catch (error) {
      return { reason: `could not be read: ${describeError(error)}` }
    } finally {
      if (page) await withDeadline(page.close(), Date.now() + 2000, () => 'close').catch(() => {})
    }
  }

  /** Why robots.txt keeps the crawl out of this page, or null. */
  private async robotsRefusal(pageUrl: string): Promise<string | null> {
    const origin = new URL(pageUrl).origin
    let rules = this.robots.get(origin)
    if (!rules) {
      rules = this.fetchRobots(origin)
      this.robots.set(origin, rules)
    }
    const got = await rules
    if ('refused' in got) return got.refused
    return got.rules && got.rules.isAllowed(pageUrl, ROBOTS_AGENT) === false ? 'robots.txt disallows it' : null
  }

  /**
   * RFC 9309: a robots.txt that is missing (4xx) allows everything; one the
   * server fails to give (5xx, no answer) allows nothing.
   */
  private async fetchRobots(origin: string): Promise<RobotsRules> {
    const url = `${origin}/robots.txt`
    const timeout = Math.max(1, Math.min(this.pageMs, this.deadline - Date.now()))
    try {
      const response = await this.context.request.get(url, { timeout, maxRedirects: 5, failOnStatusCode: false })
      const status = response.status()
      if (status >= 500) return { refused: `robots.txt answered HTTP ${status}: a site whose robots.txt cannot be read is not crawled` }
      if (status >= 400) return { rules: null }
      const text = (await response.text()).slice(0, ROBOTS_MAX_CHARS)
      return { rules: robotsParser(url, text) }
    } catch (error) {
      if (Date.now() >= this.deadline) return { refused: this.outOfTime() }
      const blocked = this.guard.blocked()
      const why = blocked ? blockedMessage(blocked) : describeError(error)
      return { refused: `robots.txt could not be read (${why}): a site whose robots.txt cannot be read is not crawled` }
    }
  }
}
