import { createRoute, z } from '@hono/zod-openapi'
import { and, eq, isNull, ne } from 'drizzle-orm'
import { hashPassword } from '../../auth/passwords.ts'
import { forgetTokens } from '../../auth/token-cache.ts'
import { MIN_PASSWORD_LENGTH, createUser } from '../../auth/users.ts'
import type { Db } from '../../db/client.ts'
import { sessions, users } from '../../db/schema.ts'
import type { ApiDeps } from '../deps.ts'
import { pageByCreation, rowOr404 } from '../rows.ts'
import { PageQuery } from '../pagination.ts'
import { ApiError } from '../problem.ts'
import { getOne, guarded, IdParams, iso, json, jsonBody, listOf, newRouter, problemResponses } from '../router.ts'

type UserRow = typeof users.$inferSelect

const tags = ['users']
const ROLE_VALUES = ['admin', 'marketing', 'tech', 'viewer'] as const
const role = z.enum(ROLE_VALUES, 'expected admin, marketing, tech or viewer')

const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: z.enum(ROLE_VALUES),
    disabled: z.boolean(),
    digestOptOut: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('User')

const password = z.string().min(MIN_PASSWORD_LENGTH, `expected at least ${MIN_PASSWORD_LENGTH} characters`).max(1000, 'expected at most 1000 characters')
const name = z.string().trim().max(200, 'expected at most 200 characters').nullable()

const UserCreateSchema = z
  .strictObject({ email: z.email('expected an email address'), password, role, name: name.optional() })
  .openapi('UserCreate', { example: { email: 'ana@example.com', password: 'a long passphrase', role: 'marketing', name: 'Ana' } })
const UserUpdateSchema = z
  .strictObject({ password, role, name, disabled: z.boolean('expected true or false'), digestOptOut: z.boolean('expected true or false') })
  .partial()
  .openapi('UserUpdate')

const MeSchema = z.object({
  kind: z.enum(['session', 'token']),
  userId: z.string().nullable(),
  name: z.string(),
  role: z.enum(ROLE_VALUES),
})

const routes = {
  me: createRoute({
    ...guarded('get', '/me', tags, 'Who is asking: the user or token of this request and its role', 'read'),
    responses: { 200: json(MeSchema, 'The principal'), ...problemResponses },
  }),
  list: listOf('/users', tags, 'Users (admins only)', 'user.admin', PageQuery, UserSchema, 'A page of users'),
  get: getOne('/users/{id}', tags, 'One user (admins only)', 'user.admin', UserSchema, 'The user'),
  create: createRoute({
    ...guarded('post', '/users', tags, 'Add a user (admins only)', 'user.admin'),
    request: { body: jsonBody(UserCreateSchema) },
    responses: { 201: json(UserSchema, 'The new user'), 409: { description: 'The email is taken', content: problemResponses[422].content }, ...problemResponses },
  }),
  update: createRoute({
    ...guarded('patch', '/users/{id}', tags, "Change a user's role, name or password, or disable it (admins only)", 'user.admin'),
    request: { params: IdParams, body: jsonBody(UserUpdateSchema) },
    responses: { 200: json(UserSchema, 'The updated user'), 409: { description: 'It is the last admin', content: problemResponses[422].content }, ...problemResponses },
  }),
  delete: createRoute({
    ...guarded('delete', '/users/{id}', tags, 'Remove a user, their sessions and tokens (admins only)', 'user.admin'),
    request: { params: IdParams },
    responses: { 204: { description: 'Deleted' }, 409: { description: 'It is the last admin', content: problemResponses[422].content }, ...problemResponses },
  }),
}

export function userRoutes(deps: ApiDeps) {
  const app = newRouter()
  const { db } = deps

  app.openapi(routes.me, (c) => c.json(c.get('principal')!, 200))

  app.openapi(routes.list, async (c) => {
    return c.json(await pageByCreation(db, users, c.req.valid('query'), userView), 200)
  })

  app.openapi(routes.get, async (c) => c.json(userView(await rowOr404(db, users, c.req.valid('param').id, 'user')), 200))

  app.openapi(routes.create, async (c) => {
    const body = c.req.valid('json')
    const row = await createUser(db, { email: body.email, password: body.password, role: body.role, name: body.name ?? null })
    c.header('location', `/api/v1/users/${row.id}`)
    return c.json(userView(row), 201)
  })

  app.openapi(routes.update, async (c) => {
    const existing = await rowOr404(db, users, c.req.valid('param').id, 'user')
    const body = c.req.valid('json')
    const losesAdmin = existing.role === 'admin' && ((body.role && body.role !== 'admin') || body.disabled === true)
    if (losesAdmin) await keepOneAdmin(db, existing.id)
    const [row] = await db
      .update(users)
      .set({
        ...(body.role !== undefined ? { role: body.role } : {}),
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.digestOptOut !== undefined ? { digestOptOut: body.digestOptOut } : {}),
        ...(body.disabled !== undefined ? { disabledAt: body.disabled ? (existing.disabledAt ?? new Date()) : null } : {}),
        ...(body.password !== undefined ? { passwordHash: await hashPassword(body.password) } : {}),
      })
      .where(eq(users.id, existing.id))
      .returning()
    // A new password or a disabled account signs the user out everywhere.
    if (body.password !== undefined || body.disabled === true) await db.delete(sessions).where(eq(sessions.userId, existing.id))
    if (body.disabled === true) forgetTokens(db)
    return c.json(userView(row!), 200)
  })

  app.openapi(routes.delete, async (c) => {
    const existing = await rowOr404(db, users, c.req.valid('param').id, 'user')
    if (existing.role === 'admin') await keepOneAdmin(db, existing.id)
    await db.delete(users).where(eq(users.id, existing.id))
    return c.body(null, 204)
  })

  return app
}

/** Refuses to remove the last enabled admin: nobody could manage users any more. */
async function keepOneAdmin(db: Db, leavingId: string): Promise<void> {
  const [other] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt), ne(users.id, leavingId)))
    .limit(1)
  if (!other) throw new ApiError(409, 'this is the last admin: make another user admin first')
}

function userView(row: UserRow) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabledAt !== null,
    digestOptOut: row.digestOptOut,
    createdAt: iso(row.createdAt)!,
  }
}
