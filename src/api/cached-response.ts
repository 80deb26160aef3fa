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

/** A cached read's bytes and headers: as an object for a Response, and flat with its content-length for Node's writeHead (fast-reads.ts). */
export interface CachedAnswer {
  body: Uint8Array<ArrayBuffer>
  headers: Readonly<Record<string, string>>
  rawHeaders: string[]
}

const answers = new WeakMap<Uint8Array, CachedAnswer>()

/** What a cached read answers to a client with this Accept-Encoding: made once per body. */
export function cachedJsonAnswer(cached: CachedJson, acceptEncoding: string | undefined): CachedAnswer {
  const gzipped = gzippedFor(cached, acceptEncoding)
  const body = gzipped ?? cached.body
  let answer = answers.get(body)
  if (!answer) {
    const headers = gzipped ? GZIPPED_JSON_HEADERS : JSON_HEADERS
    answer = { body, headers, rawHeaders: [...Object.entries(headers).flat(), 'content-length', String(body.byteLength)] }
    answers.set(body, answer)
  }
  return answer
}

/**
 * A cached API read: its headers, the API's security headers included, in
 * one plain object made once (no fetch Headers made on the way out).
 */
export function cachedJsonResponse(c: Context, cached: CachedJson): Response {
  const { body, headers } = cachedJsonAnswer(cached, requestHeader(c, 'accept-encoding'))
  return securedApiResponse(body, 200, headers)
}

/** Cached bytes of any type (a rendered page, a feed), gzipped when the client accepts it. */
export function cachedResponse(c: Context, cached: CachedJson, headers: Record<string, string>): Response {
  const gzipped = gzippedFor(cached, requestHeader(c, 'accept-encoding'))
  if (gzipped) return c.body(gzipped, 200, { ...headers, 'content-encoding': 'gzip', vary: 'accept-encoding' })
  return c.body(cached.body, 200, { ...headers, vary: 'accept-encoding' })
}

/** The gzipped body when the entry has one and the client accepts gzip; else null. */
function gzippedFor(cached: CachedJson, acceptEncoding: string | undefined): Uint8Array<ArrayBuffer> | null {
  return cached.gzipped && acceptsGzip(acceptEncoding) ? cached.gzipped() : null
}

/** Whether an Accept-Encoding header allows gzip (RFC 9110 §12.5.3): named, or `*`, with q above 0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false
  const codings = parseAccept(header.toLowerCase())
  const chosen = codings.find((coding) => coding.type === 'gzip' || coding.type === 'x-gzip') ?? codings.find((coding) => coding.type === '*')
  return chosen !== undefined && chosen.q > 0
}
