import { createRoute, z } from '@hono/zod-openapi'
import { asc, eq, sql } from 'drizzle-orm'
import { requireAction } from '../../auth/middleware.ts'
import type { Db } from '../../db/client.ts'
import { promises, secrets } from '../../db/schema.ts'
import { encrypt } from '../../infra/crypto.ts'
import type { PromiseScheduler } from '../../queue/scheduler-port.ts'
import { referencedSecrets } from '../../queue/spec.ts'
import type { ApiDeps } from '../deps.ts'
import { notFound } from '../problem.ts'
import { newRouter, problemResponses } from '../router.ts'

const tags = ['secrets']
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } })

const SecretSchema = z.object({ name: z.string(), createdAt: z.string(), updatedAt: z.string() }).openapi('Secret')

const NameParams = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,100}$/, 'expected letters, digits and _ (as in {{secrets.SHOP_USER}})')
    .openapi({ param: { name: 'name', in: 'path' }, example: 'SHOP_USER' }),
})

const routes = {
  list: createRoute({
    method: 'get',
    path: '/secrets',
    tags,
    summary: 'Secret names (values are never returned)',
    middleware: requireAction('read'),
    responses: { 200: json(z.object({ items: z.array(SecretSchema), nextCursor: z.null() }), 'Every secret name'), ...problemResponses },
  }),
  put: createRoute({
    method: 'put',
    path: '/secrets/{name}',
    tags,
    summary: 'Set a secret that journeys reference as {{secrets.NAME}}; stored encrypted',
    middleware: requireAction('promise.write'),
    request: {
      params: NameParams,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.strictObject({ value: z.string().min(1, 'expected the secret value').max(10_000, 'expected at most 10000 characters') }),
          },
        },
      },
    },
    responses: { 200: json(SecretSchema, 'The secret (name only)'), ...problemResponses },
  }),
  delete: createRoute({
    method: 'delete',
    path: '/secrets/{name}',
    tags,
    summary: 'Remove a secret',
    middleware: requireAction('promise.write'),
    request: { params: NameParams },
    responses: { 204: { description: 'Deleted' }, ...problemResponses },
  }),
}

export function secretRoutes(deps: ApiDeps) {
  const app = newRouter()
  const { db } = deps

  app.openapi(routes.list, async (c) => {
    const rows = await db.select().from(secrets).orderBy(asc(secrets.name))
    return c.json({ items: rows.map(secretView), nextCursor: null }, 200)
  })

  app.openapi(routes.put, async (c) => {
    const { name } = c.req.valid('param')
    const valueEncrypted = encrypt(deps.secretKey, c.req.valid('json').value)
    const [row] = await db
      .insert(secrets)
      .values({ name, valueEncrypted })
      .onConflictDoUpdate({ target: secrets.name, set: { valueEncrypted, updatedAt: sql`now()` } })
      .returning()
    await resyncUsers(db, deps.scheduler, name)
    return c.json(secretView(row!), 200)
  })

  app.openapi(routes.delete, async (c) => {
    const { name } = c.req.valid('param')
    const deleted = await db.delete(secrets).where(eq(secrets.name, name)).returning({ name: secrets.name })
    if (deleted.length === 0) throw notFound('secret', name)
    await resyncUsers(db, deps.scheduler, name)
    return c.body(null, 204)
  })

  return app
}

/** Jobs carry their secrets (encrypted): the schedules of promises that use this one are refreshed. */
async function resyncUsers(db: Db, scheduler: PromiseScheduler, name: string): Promise<void> {
  const rows = await db
    .select({ id: promises.id, journey: promises.journey, checkFile: promises.checkFile })
    .from(promises)
    .where(eq(promises.paused, false))
  const users = rows.filter((r) => r.checkFile !== null || referencedSecrets(r.journey).includes(name))
  for (const row of users) await scheduler.sync(row.id)
}

function secretView(row: typeof secrets.$inferSelect) {
  return { name: row.name, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() }
}
