import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import type { BrowserContext, Route } from 'playwright-core'
import { judgeTarget, type TargetPolicy, type Verdict } from './target-policy.ts'

export interface BlockedRequest {
  url: string
  host: string
  reason: string
  navigation: boolean
}

export interface NetworkGuard {
  /** The first request the policy blocked in this run, if any. */
  blocked(): BlockedRequest | null
}

/**
 * Enforces the target policy on every request of a context: navigations,
 * each hop of a redirect, sub-resources, workers and WebSockets. Hosts
 * are resolved (all addresses) before the request may leave; verdicts are
 * cached for the run. Blocked requests are aborted and remembered, so the
 * runner fails the step that caused them with the reason.
 */
export async function guardContext(context: BrowserContext, policy: TargetPolicy): Promise<NetworkGuard> {
  const verdicts = new Map<string, Promise<Verdict>>()
  let first: BlockedRequest | null = null

  const judge = (host: string) => {
    let verdict = verdicts.get(host)
    if (!verdict) {
      verdict = resolveAll(host).then(
        (addresses) => judgeTarget(host, addresses, policy),
        // An unknown host is not ours to block: the browser reports it as the site's failure.
        () => judgeTarget(host, [], policy),
      )
      verdicts.set(host, verdict)
    }
    return verdict
  }

  const check = async (rawUrl: string): Promise<{ host: string; verdict: Verdict } | null> => {
    const url = new URL(rawUrl)
    if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'ws:' && url.protocol !== 'wss:') return null
    return { host: url.hostname, verdict: await judge(url.hostname) }
  }

  await context.route('**/*', async (route: Route) => {
    const request = route.request()
    const result = await check(request.url()).catch(() => null)
    if (result && !result.verdict.allowed) {
      first ??= { url: request.url(), host: result.host, reason: result.verdict.reason, navigation: request.isNavigationRequest() }
      await route.abort('blockedbyclient').catch(() => {})
      return
    }
    await route.fallback().catch(() => {})
  })

  await context.routeWebSocket(/.*/, async (ws) => {
    const result = await check(ws.url()).catch(() => null)
    if (result && !result.verdict.allowed) {
      first ??= { url: ws.url(), host: result.host, reason: result.verdict.reason, navigation: false }
      await ws.close({ code: 1008, reason: 'blocked by the target policy' }).catch(() => {})
      return
    }
    ws.connectToServer()
  })

  return { blocked: () => first }
}

async function resolveAll(host: string): Promise<string[]> {
  const bare = host.startsWith('[') ? host.slice(1, -1) : host
  if (isIP(bare)) return [bare]
  if (bare === 'localhost' || bare.endsWith('.localhost')) return ['127.0.0.1']
  const records = await lookup(bare, { all: true, verbatim: true })
  return records.map((r) => r.address)
}

/** The message of a run failed by the policy. */
export function blockedMessage(blocked: BlockedRequest): string {
  const what = blocked.navigation ? 'navigation' : 'request'
  return `blocked ${what} to ${blocked.url}: ${blocked.reason}`
}
