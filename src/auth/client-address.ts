import type { IncomingMessage } from 'node:http'
import proxyaddr from 'proxy-addr'

// Who is asking: the socket's address, or, behind a reverse proxy that
// KEPT_TRUST_PROXY names, the client address that proxy wrote into
// X-Forwarded-For. proxy-addr (Express's) walks the header from the
// socket outwards and stops at the first address that is not trusted, so a
// client cannot forge its way past the proxies.

export type TrustProxy = (address: string, hop: number) => boolean

/**
 * KEPT_TRUST_PROXY: empty (trust no proxy), a hop count ("1": the socket
 * is one proxy), or a comma list of addresses, CIDRs and proxy-addr's names
 * (loopback, linklocal, uniquelocal). Throws naming what is wrong.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy | null {
  const value = (raw ?? '').trim()
  if (value === '' || value === '0' || value === 'false') return null
  if (/^\d+$/.test(value)) {
    const hops = Number(value)
    return (_address, hop) => hop < hops
  }
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean)
  try {
    return proxyaddr.compile(entries)
  } catch (error) {
    throw new Error(`expected a number of proxies (like 1) or addresses and CIDRs (like 10.0.0.0/8,loopback): ${(error as Error).message}`)
  }
}

export function clientAddress(incoming: IncomingMessage | undefined, trust: TrustProxy | null): string | null {
  if (!incoming?.socket) return null // app.request() in tests: no socket
  if (!trust) return incoming.socket.remoteAddress ?? null
  return proxyaddr(incoming, trust)
}
