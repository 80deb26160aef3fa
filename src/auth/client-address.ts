import type { IncomingMessage } from 'node:http'
import proxyaddr from 'proxy-addr'
import type { TrustProxy } from '../config/trust-proxy.ts'

export type { TrustProxy }

// Who is asking: the socket's address, or, behind a reverse proxy that
// KEPT_TRUST_PROXY names, the client address that proxy wrote into
// X-Forwarded-For. proxy-addr (Express's) walks the header from the
// socket outwards and stops at the first address that is not trusted, so a
// client cannot forge its way past the proxies.

export function clientAddress(incoming: IncomingMessage | undefined, trust: TrustProxy | null): string | null {
  if (!incoming?.socket) return null // app.request() in tests: no socket
  if (!trust) return incoming.socket.remoteAddress ?? null
  return proxyaddr(incoming, trust)
}
