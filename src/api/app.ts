import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { ZodError } from 'zod'
import { AuthError, authenticate } from '../auth/middleware.ts'
import { EmailTakenError } from '../auth/users.ts'
import { DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../db/unavailable.ts'
import { WeekError } from '../domain/week.ts'
import type { ApiDeps } from './deps.ts'
import { NotScheduledError, PromiseInputError } from '../promises/service.ts'
import { ApiError, authProblemResponse, problem, problemResponse, type Problem } from './problem.ts'
import { fieldProblems, newRouter } from './router.ts'
import { apiSecurityHeaders } from './security-headers.ts'
import { textGuard } from './text-guard.ts'
import { breakRoutes } from './routes/breaks.ts'
import { builderRoutes } from './routes/builder.ts'
import { channelRoutes } from './routes/channels.ts'
import { claimRoutes } from './routes/claims.ts'
import { digestRoutes } from './routes/digests.ts'
import { healthRoutes } from './routes/health.ts'
import { journeyRoutes } from './routes/journeys.ts'
import { maintenanceRoutes } from './routes/maintenance.ts'
import { promiseRoutes } from './routes/promises.ts'
import { runRoutes } from './routes/runs.ts'
import { secretRoutes } from './routes/secrets.ts'
import { tokenRoutes } from './routes/tokens.ts'
import { userRoutes } from './routes/users.ts'
import { docsRoutes } from './routes/docs.ts'

export type { ApiDeps } from './deps.ts'

export const BODY_LIMIT_BYTES = 256 * 1024

/**
 * The JSON API, to be mounted at /api: routes under /v1, the OpenAPI
 * document at /openapi.json and Swagger UI at /docs. Every error, 404 and
 * 405 included, is RFC 9457 problem JSON.
 */
export function createApiApp(deps: ApiDeps) {
  const app = newRouter()
  app.use('*', apiSecurityHeaders())

  const limitBody = bodyLimit({
    maxSize: BODY_LIMIT_BYTES,
    onError: (c) => problemResponse(c, problem(413, `the request body is over ${BODY_LIMIT_BYTES / 1024} KB`)),
  })
  // Only where a body may come: asking a GET for its body builds a whole
  // fetch Request (and its AbortSignal) on Node, a fifth of a cached read.
  app.use('/v1/*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)))
  app.use('/v1/*', authenticate({ db: deps.db }))
  // After authentication: a stranger's body is refused as 401 by its route, not judged.
  app.use('/v1/*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' || !c.get('principal') ? next() : textGuard(c, next)))

  app.route('/v1', healthRoutes(deps))
  app.route('/v1', promiseRoutes(deps))
  app.route('/v1', runRoutes(deps))
  app.route('/v1', breakRoutes(deps))
  app.route('/v1', channelRoutes(deps))
  app.route('/v1', maintenanceRoutes(deps))
  app.route('/v1', secretRoutes(deps))
  app.route('/v1', userRoutes(deps))
  app.route('/v1', tokenRoutes(deps))
  app.route('/v1', digestRoutes(deps))
  app.route('/v1', journeyRoutes(deps))
  app.route('/v1', claimRoutes(deps))
  app.route('/v1', builderRoutes(deps))

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token: `kept token create --role admin --name ci` prints one.',
  })
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Kept API',
      version: '1',
      description:
        'Promises made to customers, walked in a real browser. Errors are RFC 9457 problem JSON; lists are cursor-paginated ({items, nextCursor}).',
    },
    servers: [{ url: '/api' }],
    security: [{ bearer: [] }],
  })
  app.route('/docs', docsRoutes())

  // Unknown paths and methods under /api answer as problem JSON too.
  const methodsOf = allowedMethods(app.routes)
  app.all('*', (c) => {
    const allowed = methodsOf(c.req.path)
    if (allowed.length > 0) {
      return problemResponse(c, problem(405, `${c.req.method} is not allowed here; try ${allowed.join(', ')}`), {
        allow: allowed.join(', '),
      })
    }
    return problemResponse(c, problem(404, `no such API route: ${c.req.method} ${c.req.path}`))
  })

  app.onError((error, c) => (error instanceof AuthError ? authProblemResponse(c, error) : problemResponse(c, toProblem(error, c, deps))))
  return app
}

function toProblem(error: Error, c: Context, deps: ApiDeps): Problem {
  if (error instanceof ApiError) return error.toProblem()
  if (error instanceof ZodError) {
    const errors = fieldProblems(error)
    return problem(422, `${errors[0]?.path}: ${errors[0]?.message}`, errors)
  }
  if (error instanceof PromiseInputError) return problem(422, error.message, error.problems)
  if (error instanceof NotScheduledError) return problem(503, error.message)
  if (error instanceof EmailTakenError) return problem(409, error.message, [{ path: 'email', message: error.message }])
  if (error instanceof WeekError) return problem(422, error.message, [{ path: error.field, message: error.message }])
  if (error instanceof HTTPException) {
    const status = error.status
    const detail =
      status === 400
        ? `the request body is not valid JSON: ${error.message}`
        : status === 415
          ? 'expected a JSON body with content-type: application/json'
          : error.message
    return problem(status, detail)
  }
  if (isDatabaseUnavailable(error)) {
    deps.logger?.warn({ err: (error as Error).message, method: c.req.method, path: c.req.path }, 'API request while the database is unavailable: 503')
    c.header('retry-after', String(RETRY_AFTER_SECONDS))
    return problem(503, DATABASE_UNAVAILABLE)
  }
  deps.logger?.error({ err: error, method: c.req.method, path: c.req.path }, 'API request failed')
  return problem(500, 'something went wrong inside Kept; the server log has the details')
}

/**
 * Which methods the API serves at a path, from its route table (for 405 and
 * Allow). Matched on the path's end: the app is mounted under a prefix (/api).
 */
function allowedMethods(routes: readonly { method: string; path: string }[]) {
  let table: { pattern: RegExp; method: string }[] | null = null
  return (path: string): string[] => {
    table ??= routes
      .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
      .map((r) => ({ method: r.method, pattern: new RegExp(r.path.replace(/:[^/]+/g, '[^/]+') + '/?$') }))
    return [...new Set(table.filter((r) => r.pattern.test(path)).map((r) => r.method))]
  }
}
