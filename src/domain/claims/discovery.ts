import type { Budgets } from '../budget.ts'
import { suggestedPromise } from '../suggest-budgets.ts'
import type { Claim } from './extract.ts'

// Discovery reads a few pages of one site in a real browser and lists the
// claims they make, each with the promise it suggests. What is pure of it
// lives here: its limits, which links it follows, and how the pages'
// claims become one answer. The crawl itself is src/runner/discover.ts.

export interface DiscoverRequest {
  /** Where to start: an http(s) address of the site. */
  url: string
  /** Pages read at most (not counting those robots.txt keeps out). */
  maxPages: number
}

export interface DiscoveredClaim extends Claim {
  suggested: { title: string; budgets: Budgets }
  /** Other pages with the same sentence (a footer's claim on every page). */
  alsoOn: string[]
}

export interface SkippedPage {
  pageUrl: string
  reason: string
}

export interface Discovery {
  claims: DiscoveredClaim[]
  skipped: SkippedPage[]
  /** Pages read, whether or not they loaded. */
  pages: number
}

export const DISCOVERY_LIMITS = {
  maxPages: { min: 1, max: 50, default: 10 },
  /** The longest one page may take to load and be read. */
  pageMs: 10_000,
  /** The longest a whole discovery may read pages. */
  totalMs: 60_000,
  /** Pages read at once, in one browser context. */
  parallel: 3,
  /** Links kept to follow, and pages listed as skipped: a site of a million links is read as its first few. */
  frontier: 500,
  skipped: 100,
} as const

export const MAX_PAGES_PROBLEM = `expected a whole number of pages from ${DISCOVERY_LIMITS.maxPages.min} to ${DISCOVERY_LIMITS.maxPages.max}`

/** Why a start address cannot be crawled, or null. */
export function discoverUrlProblem(raw: string): string | null {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'expected the address of a web page, like https://shop.example.com'
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `expected an http or https address, not ${url.protocol.replace(/:$/, '')}:`
  if (url.username || url.password) return 'expected an address without a user name or password'
  return null
}

/** Files a link may name that are no web page to read. */
const NOT_A_PAGE = /\.(?:pdf|zip|gz|tgz|rar|7z|dmg|exe|msi|apk|jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|mp[34]|m4a|mov|avi|webm|ogg|wav|woff2?|ttf|otf|css|js|mjs|json|xml|rss|atom|csv|xlsx?|docx?|pptx?|txt)$/i

/** The address of a link worth reading on this origin (no fragment), or null. */
export function followedLink(href: string, origin: string): string | null {
  let url: URL
  try {
    url = new URL(href)
  } catch {
    return null
  }
  if (url.origin !== origin || (url.protocol !== 'http:' && url.protocol !== 'https:')) return null
  if (NOT_A_PAGE.test(url.pathname)) return null
  url.hash = ''
  return url.href
}

/**
 * One answer from the pages' claims (in the order the pages were read): a
 * sentence found on several pages is listed once, with the others in
 * `alsoOn`; each claim carries the promise it suggests.
 */
export function discoveredClaims(claims: Claim[]): DiscoveredClaim[] {
  const byKey = new Map<string, DiscoveredClaim>()
  for (const claim of claims) {
    const key = `${claim.kind} ${claim.value} ${claim.text}`
    const first = byKey.get(key)
    if (!first) byKey.set(key, { ...claim, suggested: suggestedPromise(claim), alsoOn: [] })
    else if (first.pageUrl !== claim.pageUrl && !first.alsoOn.includes(claim.pageUrl)) first.alsoOn.push(claim.pageUrl)
  }
  return [...byKey.values()]
}
