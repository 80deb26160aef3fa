import { parseEnv } from '../../config/env.ts'
import { DISCOVERY_LIMITS, type DiscoveredClaim, type Discovery } from '../../domain/claims/discovery.ts'
import { parseAllowedTargets } from '../../domain/target-policy.ts'
import { BrowserPool } from '../../runner/browser-pool.ts'
import { localChromium } from '../local-chromium.ts'
import { discoverClaims, type PageEvent } from '../../runner/discover.ts'
import { checkDiscoverRequest, DiscoveryInputError } from '../../services/claim-discovery.ts'

// `kept claims discover <url>`: reads the site here, in this machine's
// Chromium, with the crawl a worker runs for the API, and prints a line per
// page as it goes, then the claims found. Exit code: 0 done (with or without
// claims), 2 bad input or no browser.

export async function claimsDiscoverCommand(url: string, opts: { maxPages?: string; json?: boolean }): Promise<number> {
  const env = parseEnv()
  const maxPages = opts.maxPages === undefined ? DISCOVERY_LIMITS.maxPages.default : Number(opts.maxPages)
  // An operator at a shell, as with `kept test`: Kept's own services are not guarded here.
  const targetPolicy = parseAllowedTargets(env.KEPT_ALLOWED_TARGETS)
  try {
    await checkDiscoverRequest({ url, maxPages }, targetPolicy)
  } catch (error) {
    if (!(error instanceof DiscoveryInputError)) throw error
    process.stderr.write(`kept claims discover: ${error.path === 'url' ? url : `--max-pages ${opts.maxPages}`}: ${error.message}\n`)
    return 2
  }
  const chromium = localChromium(env, 'kept claims discover')
  if (!chromium) return 2

  // Progress goes to stderr with --json, so stdout stays one JSON document.
  const out = opts.json ? process.stderr : process.stdout
  out.write(`Reading up to ${maxPages} page${maxPages === 1 ? '' : 's'} of ${url} in ${chromium}\n`)
  const pool = new BrowserPool({ executablePath: chromium })
  let discovery: Discovery
  try {
    discovery = await discoverClaims(pool, { url, maxPages }, { targetPolicy, onPage: (event) => out.write(`${formatPage(event)}\n`) })
  } finally {
    await pool.close()
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(discovery, null, 2)}\n`)
  else out.write(formatDiscovery(discovery))
  return 0
}

export function formatPage(event: PageEvent): string {
  if ('skipped' in event) return `  - ${event.pageUrl}  skipped: ${event.skipped}`
  return `  ✓ ${event.pageUrl}  ${event.claims === 0 ? 'no claim' : `${event.claims} claim${event.claims === 1 ? '' : 's'}`}`
}

const measure = (claim: Pick<DiscoveredClaim, 'kind' | 'value'>) =>
  claim.kind === 'clicks' ? `${claim.value} click${claim.value === 1 ? '' : 's'}` : `${claim.value} s`

export function formatDiscovery(d: Discovery): string {
  const lines = [
    '',
    d.claims.length === 0
      ? `No checkable claim on ${d.pages} page${d.pages === 1 ? '' : 's'} read (clicks, taps, steps, seconds or minutes).`
      : `${d.claims.length} claim${d.claims.length === 1 ? '' : 's'} on ${d.pages} page${d.pages === 1 ? '' : 's'} read:`,
  ]
  for (const claim of d.claims) {
    const elsewhere = claim.alsoOn.length > 0 ? ` (and ${claim.alsoOn.length} more page${claim.alsoOn.length === 1 ? '' : 's'})` : ''
    lines.push(`  ${measure(claim).padEnd(10)} "${claim.text}"`, `  ${''.padEnd(10)} on ${claim.pageUrl}${elsewhere}`)
  }
  return `${lines.join('\n')}\n`
}
