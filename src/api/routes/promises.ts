import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { Db } from '../../db/client.ts'
import { promises } from '../../db/schema.ts'
import { cachedJsonResponse } from '../cached-response.ts'
import { createPromise, deletePromise, updatePromise } from '../../promises/service.ts'
import { PROMISE_STATES } from '../../domain/run.ts'
import type { ApiDeps } from '../deps.ts'
import { rowOr404 } from '../rows.ts'
import { PageQuery, decodeCursor, pageSchema, toPage } from '../pagination.ts'
import { notFound } from '../problem.ts'
import { createOne, deleteOne, getOne, guarded, IdParams, json, newRouter, problemResponses, requireUuid, updateOne } from '../router.ts'
import { PromiseCreateSchema, PromiseSchema, PromiseUpdateSchema, type PromiseJson } from '../schemas/promise.ts'
import type { Produce } from '../read-cache.ts'
import { requestTarget } from '../../infra/request-header.ts'
import { listPromiseViews, loadPromiseView, renewPromiseView, toPromiseView, withLiveRegions, type PromiseRow } from '../views/promises.ts'

const tags = ['promises']

const listRoute = createRoute({
  ...guarded('get', '/promises', tags, 'List promises, oldest first', 'read'),
  request: {
    query: PageQuery.extend({
      state: z.enum(PROMISE_STATES, `expected one of ${PROMISE_STATES.join(', ')}`).optional(),
      owner: z.string().optional().openapi({ description: 'marketing or tech owner email' }),
    }),
  },
  responses: { 200: json(pageSchema(PromiseSchema), 'A page of promises'), ...problemResponses },
})

const getRoute = getOne('/promises/{id}', tags, 'One promise with its state, last run and open break', 'read', PromiseSchema, 'The promise')

const createPromiseRoute = createOne('/promises', tags, 'Register a promise and schedule it', 'promise.write', PromiseCreateSchema, PromiseSchema, 'The new promise')

const updateRoute = updateOne('/promises/{id}', tags, 'Change some fields of a promise (pause with {"paused": true})', 'promise.write', PromiseUpdateSchema, PromiseSchema, 'The updated promise')

const deleteRoute = deleteOne('/promises/{id}', tags, 'Delete a promise, its schedule, runs and breaks', 'promise.write')

const runRoute = createRoute({
  ...guarded('post', '/promises/{id}/run', tags, 'Walk the promise now, through the same queue as scheduled runs', 'promise.run'),
  request: { params: IdParams },
  responses: { 202: json(z.object({ runId: z.string() }), 'The run is queued'), ...problemResponses },
})

export function promiseRoutes(deps: ApiDeps) {
  const app = newRouter()
  const { db, scheduler, readCache } = deps
  const service = { db, scheduler, ...(deps.regions ? { regions: deps.regions } : {}) }
  /** Each region's state told by the workers alive now. */
  const live = async <T extends PromiseJson>(view: T): Promise<T> => (deps.regions ? withLiveRegions(view, new Set(await deps.regions.live())) as T : view)
  /**
   * The JSON of a read, through the read cache when there is one, told the
   * request's target so a repeat is answered before Hono: both
   * callers are 'read' routes, as fast-reads.ts assumes. Its callers cast
   * the answer: Hono cannot check bytes against the route's schema.
   */
  const cachedJson = async (c: Context, key: string, produce: Produce) =>
    readCache ? cachedJsonResponse(c, await readCache.json(key, produce, requestTarget(c))) : c.json(await produce(false), 200)

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
      const regions = deps.regions ? new Set(await deps.regions.live()) : null
      return toPage(
        rows.map((r) => ({ ...r, id: r.row.id })),
        query.limit,
        (r) => (regions ? withLiveRegions(toPromiseView(r), regions) : toPromiseView(r)),
      )
    }) as never
  })

  app.openapi(getRoute, async (c) => {
    const id = requireUuid(c.req.valid('param').id, 'promise')
    return cachedJson(c, `promise:${id}`, async (renewal) => live(await viewOf(db, id, renewal))) as never
  })

  app.openapi(createPromiseRoute, async (c) => {
    const body = c.req.valid('json')
    const id = await createPromise(service, body, { createdBy: c.get('principal')?.userId ?? null })
    c.header('location', `/api/v1/promises/${id}`)
    return c.json(await live(await viewOf(db, id)), 201)
  })

  app.openapi(updateRoute, async (c) => {
    const existing = await loadPromise(db, c.req.valid('param').id)
    await updatePromise(service, existing, c.req.valid('json'))
    return c.json(await live(await viewOf(db, existing.id)), 200)
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
  return rowOr404(db, promises, id, 'promise')
}

/** The view of a promise by its id (a UUID, checked by the caller), or a 404. */
async function viewOf(db: Db, id: string, renewal = false) {
  const view = await (renewal ? renewPromiseView(db, id) : loadPromiseView(db, id))
  if (!view) throw notFound('promise', id)
  return view
}
