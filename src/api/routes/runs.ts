import path from 'node:path'
import { Readable } from 'node:stream'
import { createRoute, z } from '@hono/zod-openapi'
import { and, desc, eq } from 'drizzle-orm'
import { createMiddleware } from 'hono/factory'
import { requireAction, type AuthEnv } from '../../auth/middleware.ts'
import { signInPath } from '../../auth/sessions.ts'
import type { Db } from '../../db/client.ts'
import { runs } from '../../db/schema.ts'
import type { ApiDeps } from '../deps.ts'
import { fsEvidenceStore } from '../../evidence/fs-store.ts'
import { rowOr404 } from '../rows.ts'
import { PageQuery, afterCursor, cursorKey, decodeCursor, pageSchema, toPage } from '../pagination.ts'
import { ApiError } from '../problem.ts'
import { getOne, guarded, IdParams, json, newRouter, problemContent, problemResponses } from '../router.ts'
import { RunSchema, failureJson, failuresJson, stepJson, type RunJson } from '../schemas/run.ts'
import { loadPromise } from './promises.ts'

type RunRow = typeof runs.$inferSelect

const tags = ['runs']

const promiseRunsRoute = createRoute({
  ...guarded('get', '/promises/{id}/runs', tags, "A promise's runs, newest first", 'read'),
  request: { params: IdParams, query: PageQuery },
  responses: { 200: json(pageSchema(RunSchema), 'A page of runs'), ...problemResponses },
})

const getRoute = getOne('/runs/{id}', tags, 'One run with its steps, failure and evidence links', 'read', RunSchema, 'The run')

const evidence = {
  screenshot: { column: 'screenshotPath', type: 'image/png', summary: "The run's screenshot (PNG)" },
  trace: { column: 'tracePath', type: 'application/zip', summary: "The run's Playwright trace (zip): open it in Kept's own viewer (the page /runs/{id}/trace) or with npx playwright show-trace" },
} as const

const evidenceRoute = (kind: keyof typeof evidence) =>
  createRoute({
    method: 'get',
    path: `/runs/{id}/${kind}`,
    tags,
    summary: evidence[kind].summary,
    // A browser opening an alert's evidence link signs in and comes back.
    middleware: [signInFirstInBrowser, requireAction('read')] as const,
    request: { params: IdParams },
    responses: {
      200: { description: evidence[kind].summary, content: { [evidence[kind].type]: { schema: z.string().openapi({ format: 'binary' }) } } },
      ...problemResponses,
      503: { description: 'The evidence store (KEPT_EVIDENCE_URL) did not answer: try again in a moment', content: problemContent },
    },
  })

/**
 * An anonymous request of a browser navigation (it asks for HTML first) is
 * sent to the sign-in page, which comes back to the same link; every other
 * client keeps getting 401 problem JSON from requireAction.
 */
const signInFirstInBrowser = createMiddleware<AuthEnv>(async (c, next) => {
  if (c.get('principal') || !prefersHtml(c.req.header('accept'))) return next()
  return c.redirect(signInPath(c.req.url), 303)
})

function prefersHtml(accept: string | undefined): boolean {
  const first = (accept ?? '').split(',')[0]?.trim().toLowerCase() ?? ''
  return first.startsWith('text/html')
}

export function runRoutes(deps: ApiDeps) {
  const app = newRouter()
  const { db } = deps
  const store = deps.evidence ?? fsEvidenceStore(deps.dataDir)

  app.openapi(promiseRunsRoute, async (c) => {
    const promise = await loadPromise(db, c.req.valid('param').id)
    const query = c.req.valid('query')
    const rows = await db
      .select({ row: runs, cursorKey: cursorKey(runs.startedAt) })
      .from(runs)
      .where(and(eq(runs.promiseId, promise.id), afterCursor(decodeCursor(query.cursor), runs.startedAt, runs.id, 'desc', 'timestamptz')))
      .orderBy(desc(runs.startedAt), desc(runs.id))
      .limit(query.limit + 1)
    return c.json(
      toPage(rows.map((r) => ({ ...r, id: r.row.id })), query.limit, (r) => runView(r.row)),
      200,
    )
  })

  app.openapi(getRoute, async (c) => c.json(runView(await loadRun(db, c.req.valid('param').id)), 200))

  for (const kind of ['screenshot', 'trace'] as const) {
    app.openapi(evidenceRoute(kind), async (c) => {
      const run = await loadRun(db, c.req.valid('param').id)
      const key = run[evidence[kind].column]
      // Keys come from workers: the store reads none that climbs out of its place (store.ts isEvidenceKey).
      const stored = key ? await store.get(key).catch((error: unknown) => {
        deps.logger?.error({ err: error, runId: run.id, store: store.describe }, 'evidence store failed')
        throw new ApiError(503, `the evidence store (${store.describe}) did not answer: try again in a moment`)
      }) : null
      if (!stored) throw new ApiError(404, `run ${run.id} has no ${kind}`)
      c.header('content-type', evidence[kind].type)
      if (stored.size !== null) c.header('content-length', String(stored.size))
      c.header('cache-control', 'private, max-age=86400')
      if (kind === 'trace') c.header('content-disposition', `attachment; filename="trace-${run.id}.zip"`)
      // Streamed: a trace can be several megabytes.
      return c.body(Readable.toWeb(stored.body) as ReadableStream<Uint8Array>, 200)
    })
  }

  return app
}

async function loadRun(db: Db, id: string): Promise<RunRow> {
  return rowOr404(db, runs, id, 'run')
}

/** The absolute path of a stored evidence path, or null if it would leave the evidence folder. */
export function insideDir(dir: string, relative: string): string | null {
  const file = path.resolve(dir, relative)
  const rel = path.relative(dir, file)
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? file : null
}

export function runView(row: RunRow): RunJson {
  return {
    id: row.id,
    promiseId: row.promiseId,
    trigger: row.trigger,
    outcome: row.outcome,
    clicks: row.clicks,
    durationMs: row.durationMs,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt.toISOString(),
    steps: row.steps.map(stepJson),
    failure: failureJson(row.failure),
    failures: failuresJson(row),
    vitals: row.vitals,
    confirmOf: row.confirmOf,
    screenshotUrl: row.screenshotPath ? `/api/v1/runs/${row.id}/screenshot` : null,
    traceUrl: row.tracePath ? `/api/v1/runs/${row.id}/trace` : null,
  }
}
