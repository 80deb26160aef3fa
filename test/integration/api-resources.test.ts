import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken, findToken } from '../../src/auth/tokens.ts'
import { authenticateUser } from '../../src/auth/users.ts'
import { breaks, channels, runs, secrets } from '../../src/db/schema.ts'
import { decrypt } from '../../src/infra/crypto.ts'
import { apiHarness, promiseBody, type Harness } from './api-fixtures.ts'

let h: Harness
beforeAll(async () => {
  h = await apiHarness({
    testChannel: async (id) => {
      const [row] = await h.db.select().from(channels).where(eq(channels.id, id))
      if (row?.name === 'refuses') throw new Error('HTTP 410 from the receiver')
      h.channelTests.push(id)
    },
    health: async () => ({ ok: false, database: { ok: true }, redis: { ok: false, error: 'connection refused' } }),
  })
})
afterAll(async () => {
  await h?.close()
})

async function createPromise(over: Record<string, unknown> = {}): Promise<string> {
  const res = await h.call('POST', '/api/v1/promises', { body: promiseBody(over) })
  expect(res.status).toBe(201)
  return (await res.json()).id
}

async function openBreak(promiseId: string, openedAt: Date, resolvedAt: Date | null = null): Promise<string> {
  const runId = randomUUID()
  await h.db.insert(runs).values({ id: runId, promiseId, trigger: 'schedule', outcome: 'broken', durationMs: 1, startedAt: openedAt, finishedAt: openedAt })
  const [row] = await h.db
    .insert(breaks)
    .values({ promiseId, openedAt, resolvedAt, openedByRunId: runId, failure: { kind: 'step', line: 2, message: 'expected a button "Shop now"' } })
    .returning()
  return row!.id
}

describe('breaks', () => {
  it('lists breaks by state and promise, newest first', async () => {
    const a = await createPromise({ title: 'A' })
    const b = await createPromise({ title: 'B' })
    const old = await openBreak(a, new Date('2026-11-01T10:00:00Z'), new Date('2026-11-01T10:30:00Z'))
    const open = await openBreak(a, new Date('2026-11-20T10:00:00Z'))
    const other = await openBreak(b, new Date('2026-11-21T10:00:00Z'))

    const all = await (await h.call('GET', `/api/v1/breaks`, { as: 'viewer' })).json()
    expect(all.items.map((x: { id: string }) => x.id)).toEqual([other, open, old])
    const ofA = await (await h.call('GET', `/api/v1/breaks?promiseId=${a}`, { as: 'viewer' })).json()
    expect(ofA.items.map((x: { id: string }) => x.id)).toEqual([open, old])
    const resolved = await (await h.call('GET', `/api/v1/breaks?state=resolved`, { as: 'viewer' })).json()
    expect(resolved.items).toHaveLength(1)
    expect(resolved.items[0]).toMatchObject({ id: old, state: 'resolved', promiseTitle: 'A', durationMs: 30 * 60_000 })
    const openOnes = await (await h.call('GET', `/api/v1/breaks?state=open&limit=1`, { as: 'viewer' })).json()
    expect(openOnes.items.map((x: { id: string }) => x.id)).toEqual([other])
    const next = await (await h.call('GET', `/api/v1/breaks?state=open&limit=1&cursor=${openOnes.nextCursor}`, { as: 'viewer' })).json()
    expect(next.items.map((x: { id: string }) => x.id)).toEqual([open])
  })

  it('records who acknowledged and when, once, and keeps notes', async () => {
    const id = await openBreak(await createPromise(), new Date('2026-11-22T10:00:00Z'))
    const { cookie, csrfToken, user } = await h.session('tech')
    const ack = await h.http.request(`/api/v1/breaks/${id}/ack`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken } })
    expect(ack.status).toBe(200)
    const acked = await ack.json()
    expect(acked.acknowledgedBy).toBe(user.email)
    expect(Date.parse(acked.acknowledgedAt)).toBeGreaterThan(Date.now() - 60_000)

    const again = await (await h.call('POST', `/api/v1/breaks/${id}/ack`, { as: 'tech' })).json()
    expect(again.acknowledgedBy).toBe(user.email)
    expect(again.acknowledgedAt).toBe(acked.acknowledgedAt)

    const note = await h.call('POST', `/api/v1/breaks/${id}/notes`, { as: 'tech', body: { body: 'Rolled back the checkout deploy' } })
    expect(note.status).toBe(201)
    expect(await note.json()).toMatchObject({ author: 'tech-token', body: 'Rolled back the checkout deploy', public: false })
    const told = await h.call('POST', `/api/v1/breaks/${id}/notes`, { as: 'tech', body: { body: 'Orders are back to normal.', public: true } })
    expect(await told.json()).toMatchObject({ body: 'Orders are back to normal.', public: true })
    const empty = await h.call('POST', `/api/v1/breaks/${id}/notes`, { as: 'tech', body: { body: '  ' } })
    expect((await empty.json()).errors).toEqual([{ path: 'body', message: 'expected the note text' }])
    const one = await (await h.call('GET', `/api/v1/breaks/${id}`, { as: 'viewer' })).json()
    expect(one.notes.map((n: { body: string; public: boolean }) => [n.body, n.public])).toEqual([
      ['Rolled back the checkout deploy', false],
      ['Orders are back to normal.', true],
    ])
    expect(one.failure).toEqual({ kind: 'step', budget: null, limit: null, actual: null, line: 2, message: 'expected a button "Shop now"' })
  })
})

describe('channels', () => {
  it('validates the config by type, stores it encrypted and never returns it', async () => {
    const bad = await h.call('POST', '/api/v1/channels', { as: 'tech', body: { type: 'webhook', name: 'hook', config: { url: 'ftp://x', secret: 'short' } } })
    expect(bad.status).toBe(422)
    const paths = (await bad.json()).errors.map((e: { path: string }) => e.path)
    expect(paths).toEqual(['config.url', 'config.secret'])
    const type = await h.call('POST', '/api/v1/channels', { as: 'tech', body: { type: 'carrier-pigeon', name: 'x', config: {} } })
    expect((await type.json()).errors[0]).toEqual({ path: 'type', message: 'expected email, slack, teams, webhook or pagerduty' })

    const config = { webhookUrl: 'https://hooks.slack.com/services/T000/B000/SECRETPART' }
    const res = await h.call('POST', '/api/v1/channels', { as: 'tech', body: { type: 'slack', name: 'ops', config, isDefault: true } })
    expect(res.status).toBe(201)
    const created = await res.json()
    expect(created).toMatchObject({ type: 'slack', name: 'ops', isDefault: true, configPublic: { host: 'hooks.slack.com' } })
    expect(JSON.stringify(created)).not.toContain('SECRETPART')
    const [row] = await h.db.select().from(channels).where(eq(channels.id, created.id))
    expect(row!.configEncrypted).not.toContain('SECRETPART')
    expect(JSON.parse(decrypt(h.deps.secretKey, row!.configEncrypted))).toEqual(config)
    const listed = await (await h.call('GET', '/api/v1/channels', { as: 'viewer' })).json()
    expect(JSON.stringify(listed)).not.toContain('SECRETPART')

    // A second default takes over; PATCH replaces the config, checked against the stored type.
    const email = await (await h.call('POST', '/api/v1/channels', { as: 'tech', body: { type: 'email', name: 'mail', config: { to: 'ops@example.com' }, isDefault: true } })).json()
    expect((await (await h.call('GET', `/api/v1/channels/${created.id}`)).json()).isDefault).toBe(false)
    const wrong = await h.call('PATCH', `/api/v1/channels/${email.id}`, { as: 'tech', body: { config: { webhookUrl: 'https://x' } } })
    expect((await wrong.json()).errors[0].path).toBe('config.to')
    const changed = await (await h.call('PATCH', `/api/v1/channels/${email.id}`, { as: 'tech', body: { config: { to: ['a@example.com', 'b@example.com'] } } })).json()
    expect(changed.configPublic).toEqual({ to: 'a@example.com, b@example.com' })

    expect((await h.call('DELETE', `/api/v1/channels/${email.id}`, { as: 'tech' })).status).toBe(204)
    expect((await h.call('GET', `/api/v1/channels/${email.id}`)).status).toBe(404)
  })

  it('sends a test message, and reports the failure of one', async () => {
    const ok = await (await h.call('POST', '/api/v1/channels', { as: 'tech', body: { type: 'email', name: 'fine', config: { to: 'a@example.com' } } })).json()
    const res = await h.call('POST', `/api/v1/channels/${ok.id}/test`, { as: 'tech' })
    expect(res.status).toBe(200)
    expect(h.channelTests).toContain(ok.id)
    const bad = await (await h.call('POST', '/api/v1/channels', { as: 'tech', body: { type: 'email', name: 'refuses', config: { to: 'a@example.com' } } })).json()
    const failed = await h.call('POST', `/api/v1/channels/${bad.id}/test`, { as: 'tech' })
    expect(failed.status).toBe(502)
    expect((await failed.json()).detail).toContain('HTTP 410 from the receiver')
  })
})

describe('maintenance windows', () => {
  it('creates, changes and removes windows, checking the rules across fields', async () => {
    const promiseId = await createPromise()
    const res = await h.call('POST', '/api/v1/maintenance-windows', {
      as: 'tech',
      body: { promiseId, startsAt: '2026-12-01T00:00:00Z', endsAt: '2027-12-01T00:00:00Z', recurCron: '0 2 * * 0', recurMinutes: 60, timezone: 'Europe/Paris', reason: 'deploys' },
    })
    expect(res.status).toBe(201)
    const window = await res.json()
    expect(window).toMatchObject({ promiseId, recurCron: '0 2 * * 0', recurMinutes: 60, startsAt: '2026-12-01T00:00:00.000Z' })

    const problems = async (body: unknown) => (await (await h.call('POST', '/api/v1/maintenance-windows', { as: 'tech', body })).json()).errors
    expect(await problems({ startsAt: '2026-12-02T00:00:00Z', endsAt: '2026-12-01T00:00:00Z' })).toEqual([
      { path: 'endsAt', message: 'expected a time after startsAt' },
    ])
    expect((await problems({ startsAt: '2026-12-01T00:00:00Z', endsAt: '2026-12-02T00:00:00Z', recurCron: '0 2 * * 0' }))[0].path).toBe('recurMinutes')
    expect((await problems({ startsAt: '2026-12-01T00:00:00Z', endsAt: '2026-12-02T00:00:00Z', recurCron: 'sometimes', recurMinutes: 5 }))[0].path).toBe('recurCron')
    expect((await problems({ startsAt: 'tomorrow', endsAt: '2026-12-02T00:00:00Z' }))[0]).toEqual({
      path: 'startsAt',
      message: 'expected a date and time like 2026-11-23T22:00:00Z',
    })
    expect((await problems({ promiseId: randomUUID(), startsAt: '2026-12-01T00:00:00Z', endsAt: '2026-12-02T00:00:00Z' }))[0].path).toBe('promiseId')

    const patched = await h.call('PATCH', `/api/v1/maintenance-windows/${window.id}`, { as: 'tech', body: { endsAt: '2026-11-01T00:00:00Z' } })
    expect(patched.status).toBe(422)
    const ok = await (await h.call('PATCH', `/api/v1/maintenance-windows/${window.id}`, { as: 'tech', body: { recurCron: null, recurMinutes: null } })).json()
    expect(ok).toMatchObject({ recurCron: null, recurMinutes: null, reason: 'deploys' })
    const list = await (await h.call('GET', `/api/v1/maintenance-windows?promiseId=${promiseId}`, { as: 'viewer' })).json()
    expect(list.items.map((w: { id: string }) => w.id)).toEqual([window.id])
    expect((await h.call('DELETE', `/api/v1/maintenance-windows/${window.id}`, { as: 'tech' })).status).toBe(204)
  })
})

describe('secrets', () => {
  it('stores values encrypted, lists names only, and refreshes the schedules that use them', async () => {
    const user = await createPromise({ journey: 'go to http://127.0.0.1:4100/\nfill "Email" with "{{secrets.SHOP_USER}}"' })
    await createPromise()
    h.scheduler.calls.length = 0
    const res = await h.call('PUT', '/api/v1/secrets/SHOP_USER', { as: 'marketing', body: { value: 'ana@shop.test' } })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ name: 'SHOP_USER' })
    expect(h.scheduler.calls).toEqual([{ method: 'sync', promiseId: user }])
    const [row] = await h.db.select().from(secrets).where(eq(secrets.name, 'SHOP_USER'))
    expect(row!.valueEncrypted).not.toContain('ana@shop.test')
    expect(decrypt(h.deps.secretKey, row!.valueEncrypted)).toBe('ana@shop.test')

    await h.call('PUT', '/api/v1/secrets/SHOP_USER', { as: 'marketing', body: { value: 'bob@shop.test' } })
    const list = await (await h.call('GET', '/api/v1/secrets', { as: 'viewer' })).json()
    expect(list.items.map((s: { name: string }) => s.name)).toEqual(['SHOP_USER'])
    expect(JSON.stringify(list)).not.toContain('shop.test')

    const badName = await h.call('PUT', '/api/v1/secrets/shop-user', { as: 'marketing', body: { value: 'x' } })
    expect((await badName.json()).errors[0].path).toBe('param.name')
    expect((await h.call('DELETE', '/api/v1/secrets/SHOP_USER', { as: 'marketing' })).status).toBe(204)
    expect((await h.call('DELETE', '/api/v1/secrets/SHOP_USER', { as: 'marketing' })).status).toBe(404)
  })
})

describe('users and tokens', () => {
  it('adds users, refuses a taken email, and never removes the last admin', async () => {
    const res = await h.call('POST', '/api/v1/users', { body: { email: 'Ana@Example.com', password: 'long enough', role: 'marketing', name: 'Ana' } })
    expect(res.status).toBe(201)
    const ana = await res.json()
    expect(ana).toMatchObject({ email: 'ana@example.com', role: 'marketing', disabled: false })
    expect(JSON.stringify(ana)).not.toMatch(/password|scrypt/i)
    expect((await authenticateUser(h.db, 'ana@example.com', 'long enough'))?.id).toBe(ana.id)

    const taken = await h.call('POST', '/api/v1/users', { body: { email: 'ana@example.com', password: 'long enough', role: 'viewer' } })
    expect(taken.status).toBe(409)
    expect((await taken.json()).errors[0].path).toBe('email')
    const short = await h.call('POST', '/api/v1/users', { body: { email: 'x@example.com', password: 'short', role: 'viewer' } })
    expect((await short.json()).errors[0]).toEqual({ path: 'password', message: 'expected at least 8 characters' })

    const changed = await (await h.call('PATCH', `/api/v1/users/${ana.id}`, { body: { role: 'tech', password: 'another password' } })).json()
    expect(changed.role).toBe('tech')
    expect(await authenticateUser(h.db, 'ana@example.com', 'another password')).not.toBeNull()

    const admin = await (await h.call('POST', '/api/v1/users', { body: { email: 'root@example.com', password: 'long enough', role: 'admin' } })).json()
    const demote = await h.call('PATCH', `/api/v1/users/${admin.id}`, { body: { role: 'viewer' } })
    expect(demote.status).toBe(409)
    expect((await h.call('DELETE', `/api/v1/users/${admin.id}`)).status).toBe(409)
    // With a second admin, the first may go.
    await h.session('admin')
    expect((await h.call('DELETE', `/api/v1/users/${admin.id}`)).status).toBe(204)

    const page = await (await h.call('GET', '/api/v1/users?limit=100')).json()
    expect(page.items.map((u: { email: string }) => u.email)).toContain('ana@example.com')
  })

  it('creates a token shown once, which works until revoked', async () => {
    const res = await h.call('POST', '/api/v1/tokens', { body: { name: 'ci', role: 'viewer' } })
    expect(res.status).toBe(201)
    const created = await res.json()
    expect(created.token).toMatch(/^kept_/)
    expect(created.token.startsWith(created.prefix)).toBe(true)
    expect((await h.call('GET', '/api/v1/me', { headers: { authorization: `Bearer ${created.token}` }, as: null })).status).toBe(200)

    const list = await (await h.call('GET', '/api/v1/tokens')).json()
    expect(JSON.stringify(list)).not.toContain(created.token)
    expect(list.items.find((t: { id: string }) => t.id === created.id)).toMatchObject({ name: 'ci', role: 'viewer', revokedAt: null })

    expect((await h.call('DELETE', `/api/v1/tokens/${created.id}`)).status).toBe(204)
    expect(await findToken(h.db, created.token)).toBeNull()
    expect((await h.call('GET', '/api/v1/me', { headers: { authorization: `Bearer ${created.token}` }, as: null })).status).toBe(401)

    const orphan = await h.call('POST', '/api/v1/tokens', { body: { name: 'x', role: 'viewer', userId: randomUUID() } })
    expect((await orphan.json()).errors[0].path).toBe('userId')
  })

  it('stops the token of a disabled user at once, though it was just used', async () => {
    const res = await h.call('POST', '/api/v1/users', { body: { email: 'leaving@example.com', password: 'long enough', role: 'tech' } })
    const user = await res.json()
    const { token } = await createApiToken(h.db, { name: 'theirs', role: 'viewer', userId: user.id })
    const me = () => h.call('GET', '/api/v1/me', { headers: { authorization: `Bearer ${token}` }, as: null })
    expect((await me()).status).toBe(200)
    expect((await h.call('PATCH', `/api/v1/users/${user.id}`, { body: { disabled: true } })).status).toBe(200)
    expect((await me()).status).toBe(401)
  })

  it('tells the caller who it is', async () => {
    expect(await (await h.call('GET', '/api/v1/me', { as: 'tech' })).json()).toEqual({ kind: 'token', userId: null, name: 'tech-token', role: 'tech' })
  })
})

describe('digests, journeys, health', () => {
  it('previews the digest of a week, and names a bad week', async () => {
    expect(await (await h.call('GET', '/api/v1/digests/preview?week=2026-W47', { as: 'viewer' })).json()).toEqual({ week: '2026-W47', promises: [] })
    const bad = await h.call('GET', '/api/v1/digests/preview?week=2026-W60', { as: 'viewer' })
    expect(bad.status).toBe(422)
    expect((await bad.json()).errors[0].path).toBe('week')
    const lastWeek = await (await h.call('GET', '/api/v1/digests/preview', { as: 'viewer' })).json()
    expect(lastWeek.week).toMatch(/^\d{4}-W\d{2}$/)
  })

  it('validates a journey live and suggests budgets from the title', async () => {
    const ok = await (await h.call('POST', '/api/v1/journeys/validate', { as: 'marketing', body: { journey: 'go to http://127.0.0.1:4100/\nclick "Shop now"', title: 'Order online in 3 clicks' } })).json()
    expect(ok).toMatchObject({ ok: true, errors: [], steps: 2, suggestedBudgets: { maxClicks: 3 } })
    const bad = await (await h.call('POST', '/api/v1/journeys/validate', { as: 'marketing', body: { journey: 'go to http://127.0.0.1:4100/\n\nclick Shop' } })).json()
    expect(bad.ok).toBe(false)
    expect(bad.errors[0]).toMatchObject({ line: 3, column: expect.any(Number), message: expect.any(String) })
    expect(bad).not.toHaveProperty('suggestedBudgets')
  })

  it('validates the steps that say which one, and names what was expected where', async () => {
    const journey = [
      'go to http://127.0.0.1:4100/',
      'click "Add to cart" in "Sauce Labs Backpack"',
      'click the 2nd "Add to cart"',
      'click test id "shopping-cart-link"',
      'fill "Email" with "{{run.email}}" and press Enter',
      'hover "Menu"',
      'double click "Title"',
      'scroll to "Reviews"',
      'wait 2 seconds',
      'expect no "Error"',
    ].join('\n')
    const ok = await (await h.call('POST', '/api/v1/journeys/validate', { as: 'marketing', body: { journey } })).json()
    expect(ok).toMatchObject({ ok: true, errors: [], steps: 10 })
    const bad = await (
      await h.call('POST', '/api/v1/journeys/validate', { as: 'marketing', body: { journey: 'go to http://127.0.0.1:4100/\nclick the 0th "Add to cart"\nwait 9999 seconds' } })
    ).json()
    expect(bad.errors).toEqual([
      { line: 2, column: 11, message: 'expected a position like 1st, 2nd, 3rd or last after the, found 0th' },
      { line: 3, column: 6, message: 'expected a wait of at most 60 seconds (wait for "text" waits until it shows), found 9999 seconds' },
    ])
  })

  it('warns when the journey never checks what the promise names, with the step to add', async () => {
    const journey = 'go to http://127.0.0.1:4100/\nclick "Shop now"\nclick "Add to cart"\nclick "Place order"\nexpect "Order confirmed"'
    const giftCard = await (await h.call('POST', '/api/v1/journeys/validate', { as: 'marketing', body: { journey, title: 'Customers can order a gift card online in 4 clicks' } })).json()
    expect(giftCard.warnings).toEqual([
      { message: 'Nothing in your steps checks for "gift card": add expect "Gift card" or click "Gift card"', suggestion: 'expect "Gift card"' },
    ])
    const fine = await (await h.call('POST', '/api/v1/journeys/validate', { as: 'marketing', body: { journey, title: 'Order online in 3 clicks' } })).json()
    expect(fine.warnings).toEqual([])
  })

  it('answers health without a token, 503 when something is down; the details only with a token', async () => {
    const res = await h.call('GET', '/api/v1/health', { as: null })
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({ ok: false, status: 'degraded' })
    const detailed = await h.call('GET', '/api/v1/health', { as: 'viewer' })
    expect(detailed.status).toBe(503)
    expect(await detailed.json()).toMatchObject({ ok: false, status: 'degraded', redis: { ok: false } })
  })
})

describe('the API as a whole', () => {
  it('answers unknown routes and methods with problem JSON', async () => {
    const missing = await h.call('GET', '/api/v1/nothing-here')
    expect(missing.status).toBe(404)
    expect(missing.headers.get('content-type')).toBe('application/problem+json')
    const method = await h.call('PUT', `/api/v1/promises/${randomUUID()}`, { body: {} })
    expect(method.status).toBe(405)
    expect(method.headers.get('allow')).toBe('GET, PATCH, DELETE')
    expect(await method.json()).toMatchObject({ type: 'about:blank', title: 'Method Not Allowed', status: 405, errors: [] })
    const text = await h.call('POST', '/api/v1/promises', { body: 'title=x', headers: { 'content-type': 'text/plain' } })
    expect(text.status).toBe(415)
    expect((await text.json()).detail).toBe('expected a JSON body with content-type: application/json')
  })

  it('publishes its OpenAPI document and Swagger UI', async () => {
    const doc = await (await h.call('GET', '/api/openapi.json', { as: null })).json()
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.servers).toEqual([{ url: '/api' }])
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(doc.paths['/v1/promises'].post.requestBody.content['application/json'].schema).toBeDefined()
    expect(doc.paths['/v1/health'].get.security).toEqual([])
    const ui = await h.call('GET', '/api/docs', { as: null })
    expect(ui.status).toBe(200)
    expect(await ui.text()).toContain('openapi.json')
  })
})
