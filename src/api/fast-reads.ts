import type { MiddlewareHandler } from 'hono'
import { bearerToken } from '../auth/middleware.ts'
import { can } from '../auth/permissions.ts'
import { freshToken } from '../auth/token-cache.ts'
import type { Db } from '../db/client.ts'
import { requestHeader, requestTarget } from '../infra/request-header.ts'
import type { RequestLine } from '../infra/request-log.ts'
import { cachedJsonResponse } from './cached-response.ts'
import type { ReadCache } from './read-cache.ts'

// A repeated API read answered before the router: a GET of a target the
// API answered from its read cache moments ago, with a bearer token the
// token cache holds fresh for a role that may read, gets that same entry
// through the same response function, so the same bytes and headers (a CI
// job or a status wall polling the list costs about what bare node:http
// does: bench/README.md, "API: where the time goes"). Everything else, and
// every doubt (no or unknown token, a session cookie, a stale entry, any
// other method), goes on to the app unchanged: this path only ever answers
// what the app would answer, it never refuses. Every route that gives
// readCache.json() a target is a 'read' route (routes/promises.ts).

export function fastReads(deps: { db: Db; readCache: ReadCache; line: RequestLine }): MiddlewareHandler {
  return (c, next) => {
    if (c.req.method !== 'GET') return next()
    const started = performance.now()
    const cached = deps.readCache.fresh(requestTarget(c))
    if (!cached) return next()
    const header = requestHeader(c, 'authorization')
    const token = header === undefined ? undefined : bearerToken(header)
    const principal = token === undefined ? undefined : freshToken(deps.db, token)
    if (!principal || !can(principal.role, 'read')) return next()
    const response = cachedJsonResponse(c, cached)
    deps.line('GET', c.req.path, 200, started)
    return Promise.resolve(response)
  }
}
