import { createRoute, z } from '@hono/zod-openapi'
import { eq } from 'drizzle-orm'
import { createApiToken, revokeApiToken } from '../../auth/tokens.ts'
import { apiTokens, users } from '../../db/schema.ts'
import type { ApiDeps } from '../deps.ts'
import { pageByCreation, rowOr404 } from '../rows.ts'
import { PageQuery } from '../pagination.ts'
import { ApiError } from '../problem.ts'
import { guarded, IdParams, iso, json, jsonBody, listOf, newRouter, problemResponses } from '../router.ts'
import { uuid } from '../schemas/common.ts'

type TokenRow = typeof apiTokens.$inferSelect

const tags = ['tokens']
const ROLE_VALUES = ['admin', 'marketing', 'tech', 'viewer'] as const

const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLE_VALUES),
    userId: z.string().nullable(),
    /** The first characters, to tell tokens apart. */
    prefix: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiToken')

const TokenCreateSchema = z
  .strictObject({
    name: z.string().trim().min(1, 'expected a name to recognise the token by, e.g. ci').max(100, 'expected at most 100 characters'),
    role: z.enum(ROLE_VALUES, 'expected admin, marketing, tech or viewer'),
    userId: uuid('a user').nullable().optional(),
  })
  .openapi('ApiTokenCreate', { example: { name: 'ci', role: 'tech' } })

const routes = {
  list: listOf('/tokens', tags, 'API tokens, revoked ones included (admins only)', 'user.admin', PageQuery, TokenSchema, 'A page of tokens'),
  create: createRoute({
    ...guarded('post', '/tokens', tags, 'Create an API token; the token is in this answer only (admins only)', 'user.admin'),
    request: { body: jsonBody(TokenCreateSchema) },
    responses: { 201: json(TokenSchema.extend({ token: z.string() }).openapi('NewApiToken'), 'The token, shown once'), ...problemResponses },
  }),
  revoke: createRoute({
    ...guarded('delete', '/tokens/{id}', tags, 'Revoke an API token (admins only)', 'user.admin'),
    request: { params: IdParams },
    responses: { 204: { description: 'Revoked' }, ...problemResponses },
  }),
}

export function tokenRoutes(deps: ApiDeps) {
  const app = newRouter()
  const { db } = deps

  app.openapi(routes.list, async (c) => {
    return c.json(await pageByCreation(db, apiTokens, c.req.valid('query'), tokenView), 200)
  })

  app.openapi(routes.create, async (c) => {
    const body = c.req.valid('json')
    if (body.userId) {
      const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, body.userId))
      if (!user) throw new ApiError(422, `userId: no user with id ${body.userId}`, [{ path: 'userId', message: `no user with id ${body.userId}` }])
    }
    const { id, token } = await createApiToken(db, { name: body.name, role: body.role, userId: body.userId ?? null })
    const row = await rowOr404(db, apiTokens, id, 'token')
    return c.json({ ...tokenView(row), token }, 201)
  })

  app.openapi(routes.revoke, async (c) => {
    const row = await rowOr404(db, apiTokens, c.req.valid('param').id, 'token')
    await revokeApiToken(db, row.id)
    return c.body(null, 204)
  })

  return app
}

function tokenView(row: TokenRow) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    userId: row.userId,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
  }
}
