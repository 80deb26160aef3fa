import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { bearerToken } from '../auth/middleware.ts'
import { can } from '../auth/permissions.ts'
import { freshToken } from '../auth/token-cache.ts'
import type { Db } from '../db/client.ts'
import type { RequestLine } from '../infra/request-log.ts'
import { cachedJsonAnswer } from './cached-response.ts'
import type { ReadCache } from './read-cache.ts'

// A repeated API read answered before Hono: a GET of a request target the
// API answered from its read cache moments ago, still fresh (or stale and
// already being renewed, which the app answers as it is), with a bearer
// token the token cache holds fresh for a role that may read, gets that
// same entry with the same headers (cachedJsonAnswer, which the API's own
// answer is made of) and its log line, written straight to Node's
// response. A CI job or a status wall polling the list then costs about
// what bare node:http does (bench/README.md, "API: where the time goes").
// Everything else, and every doubt (no or unknown token, a session cookie,
// a stale entry due for renewal, any other method, a path with escapes), goes on to the
// app unchanged: this path only ever answers what the app would answer,
// it never refuses. Every route that gives readCache.json() a target is a
// 'read' route (routes/promises.ts).

export interface FastReadDeps {
  db: Db
  readCache: ReadCache
  line: RequestLine
}

/** `app`, Hono's listener, behind the fast path. */
export function fastReads(deps: FastReadDeps, app: RequestListener): RequestListener {
  return (req, res) => {
    let answered = false
    try {
      answered = answer(deps, req, res)
    } catch {
      answered = res.headersSent // a bug here must not take the request down: the app answers it
    }
    if (!answered) return app(req, res)
  }
}

function answer(deps: FastReadDeps, req: IncomingMessage, res: ServerResponse): boolean {
  const target = req.url
  if (req.method !== 'GET' || target === undefined) return false
  const started = performance.now()
  const cached = deps.readCache.ready(target)
  if (!cached) return false
  const header = req.headers.authorization
  const token = header === undefined ? undefined : bearerToken(header)
  const principal = token === undefined ? undefined : freshToken(deps.db, token)
  if (!principal || !can(principal.role, 'read')) return false
  const query = target.indexOf('?')
  const path = query === -1 ? target : target.slice(0, query)
  if (path.includes('%') || path.includes('#')) return false // Hono decodes such a path for the log: let it
  const { body, rawHeaders } = cachedJsonAnswer(cached, req.headers['accept-encoding'])
  res.writeHead(200, rawHeaders)
  res.end(body)
  deps.line('GET', path, 200, started)
  return true
}
