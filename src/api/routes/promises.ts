import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { eq, inArray } from 'drizzle-orm'
import { requireAction } from '../../auth/middleware.ts'
import type { Db } from '../../db/client.ts'
import { channels, promiseChannels, promises } from '../../db/schema.ts'
import { cachedJsonResponse } from '../cached-response.ts'
import { createPromise, deletePromise, updatePromise } from '../../promises/service.ts'
import { PROMISE_STATES } from '../../domain/run.ts'
import type { ApiDeps } from '../deps.ts'
import { PageQuery, decodeCursor, pageSchema, toPage } from '../pagination.ts'
import { ApiError, notFound } from '../problem.ts'
import { IdParams, newRouter, problemResponses, requireUuid } from '../router.ts'
import { PromiseCreateSchema, PromiseSchema, PromiseUpdateSchema } from '../schemas/promise.ts'
import type { Produce } from '../read-cache.ts'
import { listPromiseViews, loadPromiseView, renewPromiseView, toPromiseView, type PromiseRow } from '../views/promises.ts'

const tags = ['promises']
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } })

const listRoute = createRoute({
  method: 'get',
  path: '/promises',
  tags,
  summary: 'List promises, oldest first',
  middleware: requireAction('read'),
  request: {
    query: PageQuery.extend({
      state: z.enum(PROMISE_STATES, `expected one of ${PROMISE_STATES.join(', ')}`).optional(),
      owner: z.string().optional().openapi({ description: 'marketing or tech owner email' }),
    }),
  },
  responses: { 200: json(pageSchema(PromiseSchema), 'A page of promises'), ...problemResponses },
})

const getRoute = createRoute({
  method: 'get',
  path: '/promises/{id}',
  tags,
  summary: 'One promise with its state, last run and open break',
  middleware: requireAction('read'),
  request: { params: IdParams },
  responses: { 200: json(PromiseSchema, 'The promise'), ...problemResponses },
})

const createPromiseRoute = createRoute({
  method: 'post',
  path: '/promises',
  tags,
  summary: 'Register a promise and schedule it',
  middleware: requireAction('promise.write'),
  request: { body: { required: true, content: { 'application/json': { schema: PromiseCreateSchema } } } },
  responses: { 201: json(PromiseSchema, 'The new promise'), ...problemResponses },
})

const updateRoute = createRoute({
  method: 'patch',
  path: '/promises/{id}',
  tags,
  summary: 'Change some fields of a promise (pause with {"paused": true})',
  middleware: requireAction('promise.write'),
  request: { params: IdParams, body: { required: true, content: { 'application/json': { schema: PromiseUpdateSchema } } } },
  responses: { 200: json(PromiseSchema, 'The updated promise'), ...problemResponses },
})

const deleteRoute = createRoute({
  method: 'delete',
  path: '/promises/{id}',
  tags,
  summary: 'Delete a promise, its schedule, runs and breaks',
  middleware: requireAction('promise.write'),
  request: { params: IdParams },
  responses: { 204: { description: 'Deleted' }, ...problemResponses },
})

const runRoute = createRoute({
  method: 'post',
  path: '/promises/{id}/run',
  tags,
  summary: 'Walk the promise now, through the same queue as scheduled runs',
  middleware: requireAction('promise.run'),
  request: { params: IdParams },
  responses: { 202: json(z.object({ runId: z.string() }), 'The run is queued'), ...problemResponses },
})

export function promiseRoutes(deps: ApiDeps) {
  const app = newRouter()
  const { db, scheduler, readCache } = deps
  /**
   * The JSON of a read, through the read cache when there is one. Its
   * callers cast the answer: Hono cannot check bytes against the route's schema.
   */
  const cachedJson = async (c: Context, key: string, produce: Produce) =>
    readCache ? cachedJsonResponse(c, await readCache.json(key, produce)) : c.json(await produce(false), 200)

  app.openapi(listRoute, async (c) => {
    const query = c.req.valid('query')
    const after = decodeCursor(query.cursor)
    const key = `promises?${JSON.stringify([query.limit, after, query.state ?? null, query.owner ?? null])}`
    return cachedJson(c, key, async () => {
      const rows = await listPromiseViews(db, {
        limit: query.limit + 1,
        after,
        ...(query.state ? { state: query.state } : {}),
        ...(query.owner ? { owner: query.owner } : {}),
      })
      return toPage(
        rows.map((r) => ({ ...r, id: r.row.id })),
        query.limit,
        (r) => toPromiseView(r),
      )
    }) as never
  })

  app.openapi(getRoute, async (c) => {
    const id = requireUuid(c.req.valid('param').id, 'promise')
    return cachedJson(c, `promise:${id}`, (renewal) => viewOf(db, id, renewal)) as never
  })

  app.openapi(createPromiseRoute, async (c) => {
    const body = c.req.valid('json')
    const id = await createPromise({ db, scheduler }, body, { createdBy: c.get('principal')?.userId ?? null })
    c.header('location', `/api/v1/promises/${id}`)
    return c.json(await viewOf(db, id), 201)
  })

  app.openapi(updateRoute, async (c) => {
    const existing = await loadPromise(db, c.req.valid('param').id)
    await updatePromise({ db, scheduler }, existing, c.req.valid('json'))
    return c.json(await viewOf(db, existing.id), 200)
  })

  app.openapi(deleteRoute, async (c) => {
    await deletePromise({ db, scheduler }, await loadPromise(db, c.req.valid('param').id))
    return c.body(null, 204)
  })

  app.openapi(runRoute, async (c) => {
    const row = await loadPromise(db, c.req.valid('param').id)
    const runId = await scheduler.runNow(row.id)
    c.header('location', `/api/v1/runs/${runId}`)
    return c.json({ runId }, 202)
  })

  return app
}

export async function loadPromise(db: Db, id: string): Promise<PromiseRow> {
  const [row] = await db.select().from(promises).where(eq(promises.id, requireUuid(id, 'promise')))
  if (!row) throw notFound('promise', id)
  return row
}

/** The view of a promise by its id (a UUID, checked by the caller), or a 404. */
async function viewOf(db: Db, id: string, renewal = false) {
  const view = await (renewal ? renewPromiseView(db, id) : loadPromiseView(db, id))
  if (!view) throw notFound('promise', id)
  return view
}
