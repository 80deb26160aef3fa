import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { can, ROLES, type Action } from '../../src/auth/permissions.ts'
import type { Role } from '../../src/db/schema.ts'
import { apiHarness, promiseBody, type Harness } from '../integration/api-fixtures.ts'

// Every route of the API × every kind of caller: the four roles by token,
// no token, and a signed-in session of each role with and without its CSRF
// token. The expected action of each route is written here, independently
// of the routes, and the route list is checked against the OpenAPI document
// so a new route cannot slip past this test.

const ghost = randomUUID()

interface RouteCase {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** As in the OpenAPI document. */
  path: string
  /** null: open to everyone. */
  action: Action | null
  body?: unknown
}

const routes: RouteCase[] = [
  { method: 'GET', path: '/v1/health', action: null },
  { method: 'GET', path: '/v1/me', action: 'read' },
  { method: 'GET', path: '/v1/promises', action: 'read' },
  { method: 'POST', path: '/v1/promises', action: 'promise.write', body: promiseBody() },
  { method: 'GET', path: '/v1/promises/{id}', action: 'read' },
  { method: 'PATCH', path: '/v1/promises/{id}', action: 'promise.write', body: { title: 'x' } },
  { method: 'DELETE', path: '/v1/promises/{id}', action: 'promise.write' },
  { method: 'POST', path: '/v1/promises/{id}/run', action: 'promise.run' },
  { method: 'GET', path: '/v1/promises/{id}/runs', action: 'read' },
  { method: 'GET', path: '/v1/runs/{id}', action: 'read' },
  { method: 'GET', path: '/v1/runs/{id}/screenshot', action: 'read' },
  { method: 'GET', path: '/v1/runs/{id}/trace', action: 'read' },
  { method: 'GET', path: '/v1/breaks', action: 'read' },
  { method: 'GET', path: '/v1/breaks/{id}', action: 'read' },
  { method: 'POST', path: '/v1/breaks/{id}/ack', action: 'break.ack' },
  { method: 'POST', path: '/v1/breaks/{id}/notes', action: 'break.ack', body: { body: 'looking' } },
  { method: 'GET', path: '/v1/channels', action: 'read' },
  { method: 'POST', path: '/v1/channels', action: 'channel.write', body: { type: 'email', name: 'ops', config: { to: 'ops@example.com' } } },
  { method: 'GET', path: '/v1/channels/{id}', action: 'read' },
  { method: 'PATCH', path: '/v1/channels/{id}', action: 'channel.write', body: { name: 'x' } },
  { method: 'DELETE', path: '/v1/channels/{id}', action: 'channel.write' },
  { method: 'POST', path: '/v1/channels/{id}/test', action: 'channel.write' },
  { method: 'GET', path: '/v1/maintenance-windows', action: 'read' },
  {
    method: 'POST',
    path: '/v1/maintenance-windows',
    action: 'channel.write',
    body: { startsAt: '2026-12-01T00:00:00Z', endsAt: '2026-12-01T02:00:00Z' },
  },
  { method: 'GET', path: '/v1/maintenance-windows/{id}', action: 'read' },
  { method: 'PATCH', path: '/v1/maintenance-windows/{id}', action: 'channel.write', body: { reason: 'x' } },
  { method: 'DELETE', path: '/v1/maintenance-windows/{id}', action: 'channel.write' },
  { method: 'GET', path: '/v1/secrets', action: 'read' },
  { method: 'PUT', path: '/v1/secrets/{name}', action: 'promise.write', body: { value: 's3cret' } },
  { method: 'DELETE', path: '/v1/secrets/{name}', action: 'promise.write' },
  { method: 'GET', path: '/v1/users', action: 'user.admin' },
  { method: 'POST', path: '/v1/users', action: 'user.admin', body: { email: 'new@example.com', password: 'password-1', role: 'viewer' } },
  { method: 'GET', path: '/v1/users/{id}', action: 'user.admin' },
  { method: 'PATCH', path: '/v1/users/{id}', action: 'user.admin', body: { name: 'x' } },
  { method: 'DELETE', path: '/v1/users/{id}', action: 'user.admin' },
  { method: 'GET', path: '/v1/tokens', action: 'user.admin' },
  { method: 'POST', path: '/v1/tokens', action: 'user.admin', body: { name: 'ci', role: 'viewer' } },
  { method: 'DELETE', path: '/v1/tokens/{id}', action: 'user.admin' },
  { method: 'GET', path: '/v1/digests/preview', action: 'read' },
  { method: 'POST', path: '/v1/journeys/validate', action: 'promise.write', body: { journey: 'go to http://127.0.0.1/' } },
  { method: 'POST', path: '/v1/claims/discover', action: 'promise.write', body: { url: 'http://127.0.0.1:9/' } },
  { method: 'POST', path: '/v1/builder/sessions', action: 'promise.write', body: { url: 'http://127.0.0.1:9/' } },
  { method: 'GET', path: '/v1/builder/sessions/{id}', action: 'promise.write' },
  { method: 'POST', path: '/v1/builder/sessions/{id}/click', action: 'promise.write', body: { x: 10, y: 10 } },
  { method: 'POST', path: '/v1/builder/sessions/{id}/fill', action: 'promise.write', body: { x: 10, y: 10, value: 'a' } },
  { method: 'POST', path: '/v1/builder/sessions/{id}/expect', action: 'promise.write', body: { text: 'a' } },
  { method: 'POST', path: '/v1/builder/sessions/{id}/scroll', action: 'promise.write', body: { dy: 300 } },
  { method: 'DELETE', path: '/v1/builder/sessions/{id}', action: 'promise.write' },
]

const url = (route: RouteCase) => '/api' + route.path.replace('{id}', ghost).replace('{name}', 'MATRIX_SECRET')
const unsafe = (route: RouteCase) => route.method !== 'GET'

let h: Harness
let sessions: Record<Role, { cookie: string; csrfToken: string }>

beforeAll(async () => {
  h = await apiHarness()
  sessions = {} as typeof sessions
  for (const role of ROLES) sessions[role] = await h.session(role)
})
afterAll(async () => {
  console.log(`roles x routes: ${routes.length} routes of the OpenAPI document, ${requests} requests (4 roles by token and by session, with and without CSRF, anonymous, forged), 0 mismatches if green`)
  await h?.close()
})

let requests = 0

async function send(route: RouteCase, headers: Record<string, string>): Promise<Response> {
  requests++
  const init: RequestInit = { method: route.method, headers: { ...headers } }
  if (route.body !== undefined) {
    ;(init.headers as Record<string, string>)['content-type'] = 'application/json'
    init.body = JSON.stringify(route.body)
  }
  return h.http.request(url(route), init)
}

/** Allowed: the request got past authentication to the route itself (its own 2xx, 404 or 422). */
async function expectAllowed(res: Response, what: string) {
  expect([401, 403], what).not.toContain(res.status)
  if (res.status === 404) expect((await res.json()).detail, what).not.toMatch(/no such API route/)
}

describe('roles × routes', () => {
  it('covers every route of the OpenAPI document', async () => {
    const doc = await (await h.http.request('/api/openapi.json')).json()
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    )
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(documented.sort())
  })

  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', async (_, route) => {
    // No credentials at all.
    const anonymous = await send(route, {})
    if (route.action === null) await expectAllowed(anonymous, 'anonymous')
    else {
      expect(anonymous.status, 'anonymous').toBe(401)
      expect(anonymous.headers.get('content-type')).toBe('application/problem+json')
    }
    // A token that is not one.
    const forged = await send(route, { authorization: 'Bearer kept_forged' })
    if (route.action !== null) expect(forged.status, 'forged token').toBe(401)

    for (const role of ROLES) {
      const allowed = route.action === null || can(role, route.action)
      const byToken = await send(route, { authorization: `Bearer ${h.tokens[role]}` })
      if (allowed) await expectAllowed(byToken, `${role} token`)
      else expect(byToken.status, `${role} token`).toBe(403)

      const { cookie, csrfToken } = sessions[role]
      const withCsrf = await send(route, { cookie, 'x-csrf-token': csrfToken })
      if (allowed) await expectAllowed(withCsrf, `${role} session with CSRF`)
      else expect(withCsrf.status, `${role} session with CSRF`).toBe(403)

      const withoutCsrf = await send(route, { cookie })
      if (allowed && (!unsafe(route) || route.action === null)) await expectAllowed(withoutCsrf, `${role} session without CSRF`)
      else expect(withoutCsrf.status, `${role} session without CSRF`).toBe(403)

      if (unsafe(route) && route.action !== null) {
        const wrongCsrf = await send(route, { cookie, 'x-csrf-token': sessions[role === 'admin' ? 'viewer' : 'admin'].csrfToken })
        expect(wrongCsrf.status, `${role} session with another session's CSRF token`).toBe(403)
      }
    }
  })
})
