import { createRoute, z } from '@hono/zod-openapi'
import { and, asc, desc, eq, inArray, isNotNull, isNull, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { breakNotes, breaks, promises } from '../../db/schema.ts'
import { breakAlerts } from '../../alerts/history.ts'
import type { ApiDeps } from '../deps.ts'
import { PageQuery, afterCursor, cursorKey, decodeCursor, pageSchema, toPage } from '../pagination.ts'
import { notFound } from '../problem.ts'
import { getOne, guarded, IdParams, iso, json, newRouter, problemResponses, requireUuid } from '../router.ts'
import { uuid } from '../schemas/common.ts'
import { FailureSchema, failureJson } from '../schemas/run.ts'

type BreakRow = typeof breaks.$inferSelect

const tags = ['breaks']

const NoteSchema = z
  .object({
    id: z.string(),
    author: z.string(),
    body: z.string(),
    public: z.boolean().openapi({ description: 'Shown with the incident on the public status page (/status) when the promise is public' }),
    createdAt: z.string(),
  })
  .openapi('BreakNote')

const AlertSchema = z
  .object({
    channelId: z.string().nullable().openapi({ description: 'null: sent to the tech owner by email (no channel), or a channel deleted since' }),
    channel: z.string().openapi({ description: 'Where it went, in words: the channel\'s name, or "tech owner tom@example.com"' }),
    kind: z.enum(['opened', 'reminder', 'resolved']),
    status: z.enum(['sent', 'logged', 'failed', 'pending', 'cancelled']).openapi({
      description: 'logged: an email kept in the outbox (SMTP_URL is not set); cancelled: no longer worth sending (resolved or acknowledged first)',
    }),
    at: z.string(),
    attempts: z.number(),
    error: z.string().nullable(),
  })
  .openapi('BreakAlert')

const BreakSchema = z
  .object({
    id: z.string(),
    promiseId: z.string(),
    promiseTitle: z.string(),
    state: z.enum(['open', 'resolved']),
    openedAt: z.string(),
    resolvedAt: z.string().nullable(),
    /** Until now for an open break. */
    durationMs: z.number(),
    failure: FailureSchema.nullable(),
    firstRunId: z.string().nullable(),
    openedByRunId: z.string(),
    resolvedByRunId: z.string().nullable(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
    notes: z.array(NoteSchema),
    /** Every delivery of this break's alerts, oldest first. */
    alerts: z.array(AlertSchema),
  })
  .openapi('Break')

type BreakJson = z.infer<typeof BreakSchema>

const listRoute = createRoute({
  ...guarded('get', '/breaks', tags, 'Breaks, newest first', 'read'),
  request: {
    query: PageQuery.extend({
      state: z.enum(['open', 'resolved'], 'expected open or resolved').optional(),
      promiseId: uuid('a promise').optional(),
    }),
  },
  responses: { 200: json(pageSchema(BreakSchema), 'A page of breaks'), ...problemResponses },
})

const getRoute = getOne('/breaks/{id}', tags, 'One break with its notes', 'read', BreakSchema, 'The break')

const ackRoute = createRoute({
  ...guarded('post', '/breaks/{id}/ack', tags, 'Acknowledge a break: reminders stop; the first acknowledgement is kept', 'break.ack'),
  request: { params: IdParams },
  responses: { 200: json(BreakSchema, 'The acknowledged break'), ...problemResponses },
})

const noteRoute = createRoute({
  ...guarded('post', '/breaks/{id}/notes', tags, 'Add a note to a break', 'break.ack'),
  request: {
    params: IdParams,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            body: z.string().trim().min(1, 'expected the note text').max(5000, 'expected at most 5000 characters'),
            public: z.boolean('expected true or false').default(false).openapi({ description: 'true: customers read it on the public status page' }),
          }),
        },
      },
    },
  },
  responses: { 201: json(NoteSchema, 'The note'), ...problemResponses },
})

export function breakRoutes(deps: ApiDeps) {
  const app = newRouter()
  const { db } = deps

  app.openapi(listRoute, async (c) => {
    const query = c.req.valid('query')
    const filters: (SQL | undefined)[] = [afterCursor(decodeCursor(query.cursor), breaks.openedAt, breaks.id, 'desc', 'timestamptz')]
    if (query.state === 'open') filters.push(isNull(breaks.resolvedAt))
    if (query.state === 'resolved') filters.push(isNotNull(breaks.resolvedAt))
    if (query.promiseId) filters.push(eq(breaks.promiseId, query.promiseId))
    const rows = await db
      .select({ row: breaks, promiseTitle: promises.title, cursorKey: cursorKey(breaks.openedAt) })
      .from(breaks)
      .innerJoin(promises, eq(promises.id, breaks.promiseId))
      .where(and(...filters))
      .orderBy(desc(breaks.openedAt), desc(breaks.id))
      .limit(query.limit + 1)
    const page = toPage(rows.map((r) => ({ ...r, id: r.row.id })), query.limit, (r) => r)
    return c.json({ items: await breakViews(db, page.items), nextCursor: page.nextCursor }, 200)
  })

  app.openapi(getRoute, async (c) => c.json(await loadBreakView(db, c.req.valid('param').id), 200))

  app.openapi(ackRoute, async (c) => {
    const view = await loadBreakView(db, c.req.valid('param').id)
    const who = c.get('principal')!.name
    await db
      .update(breaks)
      .set({ acknowledgedAt: new Date(), acknowledgedBy: who })
      .where(and(eq(breaks.id, view.id), isNull(breaks.acknowledgedAt)))
    return c.json(await loadBreakView(db, view.id), 200)
  })

  app.openapi(noteRoute, async (c) => {
    const view = await loadBreakView(db, c.req.valid('param').id)
    const [note] = await db
      .insert(breakNotes)
      .values({ breakId: view.id, author: c.get('principal')!.name, body: c.req.valid('json').body, public: c.req.valid('json').public })
      .returning()
    return c.json(noteJson(note!), 201)
  })

  return app
}

async function loadBreakView(db: Db, id: string): Promise<BreakJson> {
  const [row] = await db
    .select({ row: breaks, promiseTitle: promises.title })
    .from(breaks)
    .innerJoin(promises, eq(promises.id, breaks.promiseId))
    .where(eq(breaks.id, requireUuid(id, 'break')))
  if (!row) throw notFound('break', id)
  return (await breakViews(db, [row]))[0]!
}

async function breakViews(db: Db, rows: { row: BreakRow; promiseTitle: string }[], now = new Date()): Promise<BreakJson[]> {
  if (rows.length === 0) return []
  const breakIds = rows.map((r) => r.row.id)
  const [notes, alerts] = await Promise.all([
    db.select().from(breakNotes).where(inArray(breakNotes.breakId, breakIds)).orderBy(asc(breakNotes.createdAt)),
    breakAlerts(db, breakIds),
  ])
  return rows.map(({ row, promiseTitle }) => ({
    id: row.id,
    promiseId: row.promiseId,
    promiseTitle,
    state: row.resolvedAt ? 'resolved' : 'open',
    openedAt: row.openedAt.toISOString(),
    resolvedAt: iso(row.resolvedAt),
    durationMs: (row.resolvedAt ?? now).getTime() - row.openedAt.getTime(),
    failure: failureJson(row.failure),
    firstRunId: row.firstRunId,
    openedByRunId: row.openedByRunId,
    resolvedByRunId: row.resolvedByRunId,
    acknowledgedAt: iso(row.acknowledgedAt),
    acknowledgedBy: row.acknowledgedBy,
    notes: notes
      .filter((n) => n.breakId === row.id)
      .map(noteJson),
    alerts: (alerts.get(row.id) ?? []).map((a) => ({
      channelId: a.channelId,
      channel: a.channel,
      kind: a.kind,
      status: a.status,
      at: a.at.toISOString(),
      attempts: a.attempts,
      error: a.error,
    })),
  }))
}

function noteJson(n: typeof breakNotes.$inferSelect) {
  return { id: n.id, author: n.author, body: n.body, public: n.public, createdAt: n.createdAt.toISOString() }
}
