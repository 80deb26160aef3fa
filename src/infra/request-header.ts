import type { IncomingMessage } from 'node:http'
import type { Context } from 'hono'

/**
 * A request header, read from Node's own request when Hono runs on Node:
 * asking Hono for a header builds a fetch Headers of the whole request, a
 * tenth of the cost of a cached API read. `name` is lower case.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  if (!incoming) return c.req.header(name)
  const value = incoming.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/**
 * The request target, path and query as sent (`/api/v1/promises?limit=5`):
 * Node's own when Hono runs on Node (no URL parsed), else from the URL.
 */
export function requestTarget(c: Context): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  if (incoming?.url !== undefined) return incoming.url
  const url = new URL(c.req.url)
  return url.pathname + url.search
}
