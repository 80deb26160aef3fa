import { DISCOVERY_LIMITS, MAX_PAGES_PROBLEM, discoverUrlProblem, type DiscoverRequest, type Discovery } from '../domain/claims/discovery.ts'
import { judgeTarget, type TargetPolicy } from '../domain/target-policy.ts'
import { resolveAll } from '../infra/resolve.ts'
import { withDeadline } from '../runner/walk.ts'

// The door of claim discovery, for the API and the CLI alike: the start
// address is judged before any browser is asked to go there, so a URL that
// is no web address or that the target policy blocks is refused at once,
// naming the field (the crawl's own network guard still judges every
// connection it makes).

/** A request field at fault: `url` or `maxPages`. */
export class DiscoveryInputError extends Error {
  constructor(
    readonly path: 'url' | 'maxPages',
    message: string,
  ) {
    super(message)
    this.name = 'DiscoveryInputError'
  }
}

const RESOLVE_MS = 5000

/**
 * Throws DiscoveryInputError when maxPages is out of range, the address is
 * not http(s), or its host is one browsers may not reach.
 */
export async function checkDiscoverRequest(request: DiscoverRequest, policy: TargetPolicy): Promise<void> {
  const { min, max } = DISCOVERY_LIMITS.maxPages
  if (!Number.isInteger(request.maxPages) || request.maxPages < min || request.maxPages > max) throw new DiscoveryInputError('maxPages', MAX_PAGES_PROBLEM)
  const problem = await startAddressProblem(request.url, policy)
  if (problem) throw new DiscoveryInputError('url', problem)
}

/**
 * Why a browser may not start at `raw`: not an http(s) address, or its host
 * is one the target policy blocks; null when it may. Claim discovery and the
 * journey builder ask before any browser goes there.
 */
export async function startAddressProblem(raw: string, policy: TargetPolicy): Promise<string | null> {
  const problem = discoverUrlProblem(raw)
  if (problem) return problem
  const url = new URL(raw)
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  // A name that does not resolve is judged by itself (a metadata host); the browser then says the site did not load.
  const addresses = await withDeadline(resolveAll(host), Date.now() + RESOLVE_MS, () => 'unresolved').catch(() => [])
  const verdict = judgeTarget(host, addresses, policy, port)
  return verdict.allowed ? null : `blocked: ${verdict.reason}`
}

/** Discovery behind its door: the address judged, then `discover` (a worker through the queue, or a local browser). */
export function claimDiscovery(deps: { targetPolicy: TargetPolicy; discover: (request: DiscoverRequest) => Promise<Discovery> }) {
  return async (request: DiscoverRequest): Promise<Discovery> => {
    await checkDiscoverRequest(request, deps.targetPolicy)
    return deps.discover(request)
  }
}
