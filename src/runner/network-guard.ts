import http from 'node:http'
import { Socket, type AddressInfo } from 'node:net'
import type { BrowserContext } from 'playwright-core'
import { judgeTarget, type TargetPolicy, type Verdict } from '../domain/target-policy.ts'
import { resolveAll } from '../infra/resolve.ts'

// Enforces the target policy on everything a run's browser context asks
// for: a small forward proxy, the context's only way out, judges every
// connection before it opens, each hop of a redirect and WebSockets
// included. It connects to the address it judged, so a name that resolves
// differently a moment later (DNS rebinding) cannot slip past.
//
// Loopback goes through the proxy too (Playwright adds <-loopback> to a
// context's bypass list), so Kept's own services on it are judged by port.
// The browser's requestfailed events only name what was blocked (a
// navigation, a redirect hop or a sub-request); they decide nothing.
// Judging in the proxy alone, rather than also routing every request
// through context.route, spares each request two protocol round trips.

export interface BlockedRequest {
  url: string
  host: string
  reason: string
  kind: 'navigation' | 'redirect' | 'request'
  /** For a redirect: the URL that redirected there. */
  from?: string
}

export interface NetworkGuard {
  /** For newContext({ proxy }). */
  proxy: { server: string }
  /** Watches the context's failed requests, to name what gets blocked (call before any page opens). */
  attach(context: BrowserContext): Promise<void>
  /** The first request the policy blocked in this run, if any. */
  blocked(): BlockedRequest | null
  close(): Promise<void>
}

interface Judged {
  verdict: Verdict
  /** Where to connect when allowed (the judged address). */
  address: string | null
}

export async function openNetworkGuard(policy: TargetPolicy): Promise<NetworkGuard> {
  const judged = new Map<string, Promise<Judged>>()
  let first: BlockedRequest | null = null
  const failed: { url: string; navigation: boolean; from: string | null }[] = []
  const block = (entry: BlockedRequest) => void (first ??= entry)

  const judge = (rawHost: string, port: number): Promise<Judged> => {
    const host = rawHost.replace(/^\[(.*)\]$/, '$1').toLowerCase()
    const key = `${host} ${port}`
    let result = judged.get(key)
    if (!result) {
      result = resolveAll(host).then(
        (addresses) => ({ verdict: judgeTarget(host, addresses, policy, port), address: addresses[0] ?? null }),
        // An unknown name is not ours to block: the browser reports it as the site's failure.
        () => ({ verdict: judgeTarget(host, [], policy, port), address: null }),
      )
      judged.set(key, result)
    }
    return result
  }

  const proxy = http.createServer()
  // Both sides of every connection, the browser's and the site's: closing the
  // guard ends them all, or a socket the site holds open (a WebSocket, a
  // keep-alive) keeps the process alive after its walk (`kept test` hung).
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    // A kept-alive upstream socket is handed to each request it serves: one listener is enough.
    if (sockets.has(socket)) return
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  }
  proxy.on('connection', track)
  // Upstream HTTP connections of this walk's own, reused within it (as the
  // browser would) and ended with it.
  const agent = new http.Agent({ keepAlive: true })

  // Plain http:// through the proxy: the request line holds the absolute URL.
  proxy.on('request', async (req, res) => {
    let url: URL
    try {
      url = new URL(req.url ?? '')
    } catch {
      res.writeHead(400).end()
      return
    }
    const port = Number(url.port || 80)
    const { verdict, address } = await judge(url.hostname, port)
    if (!verdict.allowed) {
      block({ url: url.href, host: url.hostname, reason: verdict.reason, kind: 'request' })
      req.socket.destroy()
      return
    }
    const headers = { ...req.headers }
    delete headers['proxy-connection']
    delete headers['proxy-authorization']
    const upstream = http.request({
      host: address ?? url.hostname,
      port,
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers,
      setHost: false,
      agent,
    })
    upstream.once('socket', track)
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders)
      answer.pipe(res)
    })
    upstream.on('error', () => req.socket.destroy())
    // The browser gave up (a page closed, a time limit) or the guard closed: the site's side goes too,
    // or a request the site never answers keeps a socket, and the process, alive.
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy()
    })
    req.pipe(upstream)
  })

  // https:// and WebSockets: a tunnel to host:port, opened only when allowed.
  proxy.on('connect', async (req, client: Socket, head: Buffer) => {
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(req.url ?? '')
    if (!match) return void client.end('HTTP/1.1 400 Bad Request\r\n\r\n')
    const [, host, port] = match
    const { verdict, address } = await judge(host!, Number(port))
    if (!verdict.allowed) {
      block({ url: `https://${req.url}/`, host: host!.replace(/^\[(.*)\]$/, '$1'), reason: verdict.reason, kind: 'request' })
      return void client.end('HTTP/1.1 403 Forbidden\r\n\r\n')
    }
    const upstream = new Socket()
    track(upstream)
    // A tunnel lives as long as both ends: one gone, the other goes.
    upstream.once('close', () => client.destroy())
    client.once('close', () => upstream.destroy())
    upstream.once('error', () => client.destroy())
    client.once('error', () => upstream.destroy())
    upstream.connect(Number(port), address ?? host!.replace(/^\[(.*)\]$/, '$1'), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
  })

  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject)
    proxy.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = proxy.address() as AddressInfo

  // What the proxy blocked is named once the browser has told of the
  // request that failed (it may tell after): a redirect hop, a navigation,
  // or else a sub-request. A tunnel (https, wss) is known by its host only.
  // Only failed requests are listened to: an event for every request would
  // cost the walk a message each.
  const described = (): BlockedRequest | null => {
    if (!first) return null
    const blocked = first
    const same = (url: string) =>
      url === blocked.url || (blocked.url.startsWith('https://') && sameHost(url, blocked.url))
    const request = failed.find((r) => same(r.url))
    if (request?.from) return { ...blocked, url: request.url, kind: 'redirect', from: request.from }
    if (request?.navigation) return { ...blocked, url: request.url, kind: 'navigation' }
    return blocked
  }

  return {
    proxy: { server: `http://127.0.0.1:${port}` },
    blocked: described,
    async attach(context) {
      context.on('requestfailed', (request) => {
        failed.push({ url: request.url(), navigation: request.isNavigationRequest(), from: request.redirectedFrom()?.url() ?? null })
      })
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        agent.destroy()
        proxy.close(() => resolve())
      }),
  }
}

function sameHost(a: string, b: string): boolean {
  try {
    return new URL(a).host === new URL(b).host
  } catch {
    return false
  }
}

/** The message of a run failed by the policy. */
export function blockedMessage(blocked: BlockedRequest): string {
  const from = blocked.from ? ` from ${blocked.from}` : ''
  return `blocked ${blocked.kind}${from} to ${blocked.url}: ${blocked.reason}`
}
