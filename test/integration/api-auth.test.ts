import { eq } from 'drizzle-orm'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthError, authenticate, requireAction, type AuthEnv } from '../../src/auth/middleware.ts'
import { authProblemResponse } from '../../src/api/problem.ts'
import { SESSION_COOKIE, createSession, deleteSession, loadSession } from '../../src/auth/sessions.ts'
import { createApiToken, findToken, revokeApiToken } from '../../src/auth/tokens.ts'
import { EmailTakenError, authenticateUser, createUser, ensureAdminFromEnv } from '../../src/auth/users.ts'
import { apiTokens, sessions, users } from '../../src/db/schema.ts'
import { freshDatabase } from '../support/db.ts'

let database: Awaited<ReturnType<typeof freshDatabase>>
beforeAll(async () => {
  database = await freshDatabase()
})
afterAll(async () => {
  await database?.drop()
})

describe('users', () => {
  it('creates a user with a hashed password and authenticates it', async () => {
    const user = await createUser(database.db, { email: ' Ana@Example.com ', password: 'secret-pass-1', role: 'marketing' })
    expect(user.email).toBe('ana@example.com')
    expect(user.passwordHash).not.toContain('secret-pass-1')
    expect((await authenticateUser(database.db, 'ANA@example.com', 'secret-pass-1'))?.id).toBe(user.id)
    expect(await authenticateUser(database.db, 'ana@example.com', 'wrong-pass-1')).toBeNull()
    expect(await authenticateUser(database.db, 'nobody@example.com', 'secret-pass-1')).toBeNull()
  })

  it('refuses a second user with the same email, and short passwords', async () => {
    await createUser(database.db, { email: 'dup@example.com', password: 'password-1', role: 'viewer' })
    await expect(createUser(database.db, { email: 'DUP@example.com', password: 'password-2', role: 'viewer' })).rejects.toBeInstanceOf(
      EmailTakenError,
    )
    await expect(createUser(database.db, { email: 'short@example.com', password: 'short', role: 'viewer' })).rejects.toThrow(/password/)
  })

  it('refuses a disabled user', async () => {
    const user = await createUser(database.db, { email: 'gone@example.com', password: 'password-1', role: 'tech' })
    await database.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, user.id))
    expect(await authenticateUser(database.db, 'gone@example.com', 'password-1')).toBeNull()
  })

  it('creates the admin from the environment once, and never resets its password', async () => {
    expect(await ensureAdminFromEnv(database.db, {})).toBeNull()
    const env = { KEPT_ADMIN_EMAIL: 'root@example.com', KEPT_ADMIN_PASSWORD: 'first-password' }
    expect(await ensureAdminFromEnv(database.db, env)).toEqual({ created: true, email: 'root@example.com' })
    expect(await ensureAdminFromEnv(database.db, { ...env, KEPT_ADMIN_PASSWORD: 'other-password' })).toEqual({
      created: false,
      email: 'root@example.com',
    })
    const admin = await authenticateUser(database.db, 'root@example.com', 'first-password')
    expect(admin?.role).toBe('admin')
  })
})

describe('API tokens', () => {
  it('stores only a hash, finds the principal, and forgets revoked tokens', async () => {
    const { id, token } = await createApiToken(database.db, { name: 'ci', role: 'tech' })
    expect(token).toMatch(/^kept_[\w-]{43}$/)
    const [row] = await database.db.select().from(apiTokens).where(eq(apiTokens.id, id))
    expect(row!.tokenHash).not.toContain(token.slice(5))
    expect(token.startsWith(row!.prefix)).toBe(true)

    expect(await findToken(database.db, token)).toEqual({ kind: 'token', userId: null, name: 'ci', role: 'tech' })
    expect(await findToken(database.db, token + 'x')).toBeNull()
    expect(await findToken(database.db, 'not-a-token')).toBeNull()

    expect(await revokeApiToken(database.db, id)).toBe(true)
    expect(await findToken(database.db, token)).toBeNull()
  })

  it('writes lastUsedAt at most once a minute', async () => {
    const { id, token } = await createApiToken(database.db, { name: 'busy', role: 'viewer' })
    const lastUsed = async () => (await database.db.select().from(apiTokens).where(eq(apiTokens.id, id)))[0]!.lastUsedAt
    const t0 = new Date('2026-11-23T10:00:00Z')
    await findToken(database.db, token, t0)
    expect(await lastUsed()).toEqual(t0)
    await findToken(database.db, token, new Date(t0.getTime() + 30_000))
    expect(await lastUsed()).toEqual(t0)
    const later = new Date(t0.getTime() + 61_000)
    await findToken(database.db, token, later)
    expect(await lastUsed()).toEqual(later)
  })

  it('stops working when its user is disabled', async () => {
    const user = await createUser(database.db, { email: 'tokenuser@example.com', password: 'password-1', role: 'admin' })
    const { token } = await createApiToken(database.db, { name: 'mine', role: 'viewer', userId: user.id })
    expect((await findToken(database.db, token))?.userId).toBe(user.id)
    await database.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, user.id))
    expect(await findToken(database.db, token)).toBeNull()
  })
})

describe('sessions', () => {
  it('loads a session by cookie, stores only its hash, and deletes it', async () => {
    const user = await createUser(database.db, { email: 'tom@example.com', password: 'password-1', role: 'tech' })
    const session = await createSession(database.db, user.id)
    const stored = await database.db.select().from(sessions).where(eq(sessions.userId, user.id))
    expect(stored.map((s) => s.tokenHash)).not.toContain(session.cookieValue)
    expect(await loadSession(database.db, session.cookieValue)).toEqual({
      principal: { kind: 'session', userId: user.id, name: 'tom@example.com', role: 'tech' },
      csrfToken: session.csrfToken,
    })
    expect(await loadSession(database.db, session.cookieValue, new Date(session.expiresAt.getTime() + 1))).toBeNull()
    await deleteSession(database.db, session.cookieValue)
    expect(await loadSession(database.db, session.cookieValue)).toBeNull()
  })
})

describe('middleware', () => {
  function app() {
    const app = new Hono<AuthEnv>()
    app.use('*', authenticate({ db: database.db }))
    app.get('/who', (c) => c.json({ principal: c.get('principal'), csrf: c.get('csrfToken') }))
    app.post('/ack', requireAction('break.ack'), (c) => c.json({ ok: true }))
    app.onError((error, c) => (error instanceof AuthError ? authProblemResponse(c, error) : c.text('unexpected', 500)))
    return app
  }

  it('answers 401 and 403 as problem JSON, and checks CSRF for sessions only', async () => {
    const unauth = await app().request('/ack', { method: 'POST' })
    expect(unauth.status).toBe(401)
    expect(unauth.headers.get('content-type')).toBe('application/problem+json')
    expect(unauth.headers.get('www-authenticate')).toContain('Bearer')

    const viewer = await createApiToken(database.db, { name: 'v', role: 'viewer' })
    const denied = await app().request('/ack', { method: 'POST', headers: { authorization: `Bearer ${viewer.token}` } })
    expect(denied.status).toBe(403)
    expect(await denied.json()).toMatchObject({ status: 403, title: 'Forbidden' })

    const tech = await createApiToken(database.db, { name: 't', role: 'tech' })
    const allowed = await app().request('/ack', { method: 'POST', headers: { authorization: `Bearer ${tech.token}` } })
    expect(allowed.status).toBe(200)

    const user = await createUser(database.db, { email: 'csrf@example.com', password: 'password-1', role: 'tech' })
    const session = await createSession(database.db, user.id)
    const cookie = `${SESSION_COOKIE}=${session.cookieValue}`
    const who = await (await app().request('/who', { headers: { cookie } })).json()
    expect(who).toMatchObject({ principal: { kind: 'session', role: 'tech' }, csrf: session.csrfToken })

    expect((await app().request('/ack', { method: 'POST', headers: { cookie } })).status).toBe(403)
    expect((await app().request('/ack', { method: 'POST', headers: { cookie, 'x-csrf-token': 'nope' } })).status).toBe(403)
    expect((await app().request('/ack', { method: 'POST', headers: { cookie, 'x-csrf-token': session.csrfToken } })).status).toBe(200)
    const form = await app().request('/ack', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: session.csrfToken }).toString(),
    })
    expect(form.status).toBe(200)
  })

  it('ignores the cookie when a bearer header is sent, and a bad bearer is no principal', async () => {
    const user = await createUser(database.db, { email: 'both@example.com', password: 'password-1', role: 'admin' })
    const session = await createSession(database.db, user.id)
    const res = await app().request('/who', {
      headers: { cookie: `${SESSION_COOKIE}=${session.cookieValue}`, authorization: 'Bearer kept_wrong' },
    })
    expect(await res.json()).toEqual({ principal: null, csrf: null })
  })
})
