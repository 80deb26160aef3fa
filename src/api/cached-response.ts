import type { Context } from 'hono'
import { parseAccept } from 'hono/utils/accept'
import type { CachedJson } from './read-cache.ts'
import { requestHeader } from '../infra/request-header.ts'
import { securedApiHeaders, securedApiResponse } from './security-headers.ts'

// A cached read, gzipped when the client accepts it, as browsers, fetch,
// curl --compressed and most HTTP libraries do. A page of 50 promises is
// ~42 KB of JSON and ~4 KB gzipped; writing the bytes is most of what a
// cached read costs.

const JSON_HEADERS = securedApiHeaders({ 'content-type': 'application/json', vary: 'accept-encoding' })
const GZIPPED_JSON_HEADERS = securedApiHeaders({ 'content-type': 'application/json', vary: 'accept-encoding', 'content-encoding': 'gzip' })

/**
 * A cached API read: its headers, the API's security headers included, in
 * one plain object made once (no fetch Headers made on the way out).
 */
export function cachedJsonResponse(c: Context, cached: CachedJson): Response {
  const gzipped = cached.gzipped && acceptsGzip(requestHeader(c, 'accept-encoding')) ? cached.gzipped() : null
  if (gzipped) return securedApiResponse(gzipped, 200, GZIPPED_JSON_HEADERS)
  return securedApiResponse(cached.body, 200, JSON_HEADERS)
}

/** Cached bytes of any type (a rendered page, a feed), gzipped when the client accepts it. */
export function cachedResponse(c: Context, cached: CachedJson, headers: Record<string, string>): Response {
  const gzipped = cached.gzipped && acceptsGzip(requestHeader(c, 'accept-encoding')) ? cached.gzipped() : null
  if (gzipped) return c.body(gzipped, 200, { ...headers, 'content-encoding': 'gzip', vary: 'accept-encoding' })
  return c.body(cached.body, 200, { ...headers, vary: 'accept-encoding' })
}

/** Whether an Accept-Encoding header allows gzip (RFC 9110 §12.5.3): named, or `*`, with q above 0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false
  const codings = parseAccept(header.toLowerCase())
  const chosen = codings.find((coding) => coding.type === 'gzip' || coding.type === 'x-gzip') ?? codings.find((coding) => coding.type === '*')
  return chosen !== undefined && chosen.q > 0
}
