import { createRoute, z } from '@hono/zod-openapi'
import { asc } from 'drizzle-orm'
import { secrets } from '../../db/schema.ts'
import { MAX_SECRET_LENGTH, SECRET_NAME, SECRET_NAME_RULE, deleteSecret, setSecret } from '../../services/secrets.ts'
import type { ApiDeps } from '../deps.ts'
import { notFound } from '../problem.ts'
import { guarded, json, newRouter, problemResponses } from '../router.ts'

const tags = ['secrets']

const SecretSchema = z.object({ name: z.string(), createdAt: z.string(), updatedAt: z.string() }).openapi('Secret')

const NameParams = z.object({
  name: z
    .string()
    .regex(SECRET_NAME, SECRET_NAME_RULE)
    .openapi({ param: { name: 'name', in: 'path' }, example: 'SHOP_USER' }),
})

const routes = {
  list: createRoute({
    ...guarded('get', '/secrets', tags, 'Secret names (values are never returned)', 'read'),
    responses: { 200: json(z.object({ items: z.array(SecretSchema), nextCursor: z.null() }), 'Every secret name'), ...problemResponses },
  }),
  put: createRoute({
    ...guarded('put', '/secrets/{name}', tags, 'Set a secret that journeys reference as {{secrets.NAME}}; stored encrypted', 'promise.write'),
    request: {
      params: NameParams,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.strictObject({ value: z.string().min(1, 'expected the secret value').max(MAX_SECRET_LENGTH, `expected at most ${MAX_SECRET_LENGTH} characters`) }),
          },
        },
      },
    },
    responses: { 200: json(SecretSchema, 'The secret (name only)'), ...problemResponses },
  }),
  delete: createRoute({
    ...guarded('delete', '/secrets/{name}', tags, 'Remove a secret', 'promise.write'),
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
    const row = await setSecret(db, deps.secretKey, deps.scheduler, name, c.req.valid('json').value)
    return c.json(secretView(row), 200)
  })

  app.openapi(routes.delete, async (c) => {
    const { name } = c.req.valid('param')
    if (!(await deleteSecret(db, deps.scheduler, name))) throw notFound('secret', name)
    return c.body(null, 204)
  })

  return app
}

function secretView(row: typeof secrets.$inferSelect) {
  return { name: row.name, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() }
}
