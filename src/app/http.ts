import http, { type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { Hono, type MiddlewareHandler } from 'hono'
import type { Registry } from 'prom-client'
import type { ReadCache } from '../api/read-cache.ts'
import { fastReads, type FastReadDeps } from '../api/fast-reads.ts'
import type { Db } from '../db/client.ts'
import { requestLine, requestLog } from '../infra/request-log.ts'
import type { Logger } from '../infra/logger.ts'
import { metricsRoute } from '../metrics/metrics.ts'
import { closeServer } from '../infra/close-server.ts'
import { RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../db/unavailable.ts'
import { AuthError } from '../auth/middleware.ts'
import { StartupError } from '../infra/startup-error.ts'
import { authProblemResponse } from '../api/problem.ts'

/**
 * The one HTTP app: the JSON API under /api, the digest pages under
 * /digests, Prometheus metrics at /metrics, the public status page at
 * /status, and the pages for both owners at /. Each part brings its own
 * authentication (the status page has none: it is public). /livez answers
 * anyone: the process serves HTTP (a liveness probe; /api/v1/health says
 * whether Postgres and Redis answer too).
 */
export function createHttpApp(parts: {
  logger: Logger
  api: Hono<any>
  digests: Hono<any>
  pages: Hono<any>
  /** The public status page (/status…), no sign-in. */
  status?: Hono<any>
  metrics: Registry
  /** Runs before /metrics: refuses a scrape without a token unless metrics are public. */
  metricsGuard?: MiddlewareHandler
  /** Cleared by every change made through this app, API and pages alike. */
  readCaches?: ReadCache[]
  /** Repeated API reads answered from this cache before Hono, once listen()ed (src/api/fast-reads.ts). */
  fastReads?: { db: Db; readCache: ReadCache }
}) {
  const app = new Hono()
  // Before the request log: a probe every few seconds would fill it.
  app.get('/livez', (c) => c.json({ ok: true }, 200, { 'cache-control': 'no-store' }))
  app.use(requestLog(parts.logger))
  for (const cache of parts.readCaches ?? []) app.use(cache.invalidator)
  if (parts.metricsGuard) app.get('/metrics', parts.metricsGuard, metricsRoute(parts.metrics))
  else app.get('/metrics', metricsRoute(parts.metrics))
  app.route('/api', parts.api)
  app.route('/digests', parts.digests)
  if (parts.status) app.route('/', parts.status)
  app.route('/', parts.pages)
  // The API maps its own errors (problem JSON); pages and digests come here.
  app.onError((error, c) => {
    // /metrics' guard: the API's words and shape.
    if (error instanceof AuthError) return authProblemResponse(c, error)
    if (isDatabaseUnavailable(error)) {
      parts.logger.warn({ err: error.message, path: c.req.path }, 'page asked for while the database is unavailable: 503')
      return c.html(unavailablePage, 503, { 'retry-after': String(RETRY_AFTER_SECONDS), 'cache-control': 'no-store' })
    }
    parts.logger.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed')
    return c.text('Internal Server Error', 500)
  })
  if (parts.fastReads) nodeFront.set(app, { ...parts.fastReads, line: requestLine(parts.logger) })
  return app
}

/** What listen() puts in front of an app's Node listener: set by createHttpApp, so every server of it has it. */
const nodeFront = new WeakMap<Hono, FastReadDeps>()

// Plain on purpose: the layout's own data may be what is missing.
const unavailablePage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${RETRY_AFTER_SECONDS}"><title>Kept: database unavailable</title></head><body><h1>Kept cannot reach its database</h1><p>It is stopped or restarting. This page tries again every ${RETRY_AFTER_SECONDS} seconds; walks that finish meanwhile are kept and recorded when it is back.</p></body></html>`

export interface HttpServer {
  url: string
  close(): Promise<void>
}

/** listen(), with a port in use said as a StartupError naming the variable that chose it. */
export async function listenOn(app: Hono, options: { port: number; host: string; variable: string }): Promise<HttpServer> {
  return listen(app, options).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') {
      throw new StartupError(options.variable, `port ${options.port} on ${options.host} is already in use`, `Stop what uses it, or set ${options.variable} to another port.`)
    }
    throw error
  })
}

export async function listen(app: Hono, options: { port: number; host: string }): Promise<HttpServer> {
  // What serve() did, with the fast path in front when createHttpApp asked for it.
  const listener = getRequestListener(app.fetch, { hostname: options.host }) as RequestListener
  const front = nodeFront.get(app)
  const server = http.createServer(front ? fastReads(front, listener) : listener)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, resolve)
  })
  const { port } = server.address() as AddressInfo
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host
  return {
    url: `http://${shownHost}:${port}`,
    close: () => closeServer(server),
  }
}
