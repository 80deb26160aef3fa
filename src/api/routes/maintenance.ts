import { z } from '@hono/zod-openapi'
import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { maintenanceWindows } from '../../db/schema.ts'
import { windowProblems, type WindowValues } from '../../services/maintenance-windows.ts'
import type { ApiDeps } from '../deps.ts'
import { pageByCreation, rowOr404 } from '../rows.ts'
import { PageQuery } from '../pagination.ts'
import { ApiError, type FieldProblem } from '../problem.ts'
import { createOne, deleteOne, getOne, iso, listOf, newRouter, updateOne } from '../router.ts'
import { timezoneSchema, uuid } from '../schemas/common.ts'

type WindowRow = typeof maintenanceWindows.$inferSelect

const tags = ['maintenance']
const PATH = '/maintenance-windows'

const WindowSchema = z
  .object({
    id: z.string(),
    promiseId: z.string().nullable(),
    startsAt: z.string(),
    endsAt: z.string(),
    recurCron: z.string().nullable(),
    recurMinutes: z.number().nullable(),
    timezone: z.string().nullable(),
    reason: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('MaintenanceWindow')

const instant = z.iso.datetime({ offset: true, error: 'expected a date and time like 2026-11-23T22:00:00Z' })
const fields = {
  /** null or absent: every promise. */
  promiseId: uuid('a promise').nullable(),
  startsAt: instant,
  endsAt: instant,
  recurCron: z.string().trim().min(1, 'expected a cron pattern like "0 2 * * 0"').nullable(),
  recurMinutes: z.number().int('expected whole minutes').min(1, 'expected 1 minute or more').max(7 * 1440, 'expected at most a week').nullable(),
  timezone: timezoneSchema.nullable(),
  reason: z.string().max(500, 'expected at most 500 characters').nullable(),
}

const WindowCreateSchema = z
  .strictObject({
    ...fields,
    promiseId: fields.promiseId.default(null),
    recurCron: fields.recurCron.default(null),
    recurMinutes: fields.recurMinutes.default(null),
    timezone: fields.timezone.default(null),
    reason: fields.reason.default(null),
  })
  .openapi('MaintenanceWindowCreate', {
    example: { startsAt: '2026-11-29T00:00:00Z', endsAt: '2027-11-29T00:00:00Z', recurCron: '0 2 * * 0', recurMinutes: 60, timezone: 'Europe/Paris', reason: 'weekly deploy' },
  })
const WindowUpdateSchema = z.strictObject(fields).partial().openapi('MaintenanceWindowUpdate')

const routes = {
  list: listOf(PATH, tags, 'Maintenance windows: runs go on, alerts wait', 'read', PageQuery.extend({ promiseId: uuid('a promise').optional() }), WindowSchema, 'A page of windows'),
  get: getOne(`${PATH}/{id}`, tags, 'One maintenance window', 'read', WindowSchema, 'The window'),
  create: createOne(PATH, tags, 'Add a one-off or recurring maintenance window', 'channel.write', WindowCreateSchema, WindowSchema, 'The new window'),
  update: updateOne(`${PATH}/{id}`, tags, 'Change a maintenance window', 'channel.write', WindowUpdateSchema, WindowSchema, 'The updated window'),
  delete: deleteOne(`${PATH}/{id}`, tags, 'Remove a maintenance window', 'channel.write'),
}


export function maintenanceRoutes(deps: ApiDeps) {
  const app = newRouter()
  const { db } = deps

  app.openapi(routes.list, async (c) => {
    const query = c.req.valid('query')
    const forPromise = query.promiseId ? eq(maintenanceWindows.promiseId, query.promiseId) : undefined
    return c.json(await pageByCreation(db, maintenanceWindows, query, windowView, forPromise), 200)
  })

  app.openapi(routes.get, async (c) => c.json(windowView(await rowOr404(db, maintenanceWindows, c.req.valid('param').id, 'maintenance window')), 200))

  app.openapi(routes.create, async (c) => {
    const body = c.req.valid('json')
    const values = await checkWindow(db, { ...body, startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt) })
    const [row] = await db.insert(maintenanceWindows).values(values).returning()
    c.header('location', `/api/v1${PATH}/${row!.id}`)
    return c.json(windowView(row!), 201)
  })

  app.openapi(routes.update, async (c) => {
    const existing = await rowOr404(db, maintenanceWindows, c.req.valid('param').id, 'maintenance window')
    const body = c.req.valid('json')
    const values = await checkWindow(db, {
      promiseId: body.promiseId !== undefined ? body.promiseId : existing.promiseId,
      startsAt: body.startsAt ? new Date(body.startsAt) : existing.startsAt,
      endsAt: body.endsAt ? new Date(body.endsAt) : existing.endsAt,
      recurCron: body.recurCron !== undefined ? body.recurCron : existing.recurCron,
      recurMinutes: body.recurMinutes !== undefined ? body.recurMinutes : existing.recurMinutes,
      timezone: body.timezone !== undefined ? body.timezone : existing.timezone,
      reason: body.reason !== undefined ? body.reason : existing.reason,
    })
    const [row] = await db.update(maintenanceWindows).set(values).where(eq(maintenanceWindows.id, existing.id)).returning()
    return c.json(windowView(row!), 200)
  })

  app.openapi(routes.delete, async (c) => {
    const row = await rowOr404(db, maintenanceWindows, c.req.valid('param').id, 'maintenance window')
    await db.delete(maintenanceWindows).where(eq(maintenanceWindows.id, row.id))
    return c.body(null, 204)
  })

  return app
}

/** The rules that span fields (src/services/maintenance-windows.ts), as a 422 naming each field. */
async function checkWindow(db: Db, values: WindowValues): Promise<WindowValues> {
  const errors: FieldProblem[] = await windowProblems(db, values)
  if (errors.length > 0) throw new ApiError(422, `${errors[0]!.path}: ${errors[0]!.message}`, errors)
  return values
}

function windowView(row: WindowRow) {
  return {
    id: row.id,
    promiseId: row.promiseId,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    recurCron: row.recurCron,
    recurMinutes: row.recurMinutes,
    timezone: row.timezone,
    reason: row.reason,
    createdAt: iso(row.createdAt)!,
  }
}
