import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken } from '../../src/auth/tokens.ts'
import { breaks, promises, users } from '../../src/db/schema.ts'
import { digestRecipients } from '../../src/digest/recipients.ts'
import { digestRoutes } from '../../src/digest/routes.tsx'
import { unsubscribeSignature, unsubscribeUrl } from '../../src/digest/unsubscribe.ts'
import { freshDatabase } from '../support/db.ts'

const BASE_URL = 'https://kept.example.com'
const NOW = new Date('2026-11-23T08:00:00Z')

describe('digest routes', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let app: ReturnType<typeof digestRoutes>
  let token: string
  let anaId: string
  const secretKey = Buffer.alloc(32, 9)

  beforeAll(async () => {
    pg = await freshDatabase()
    app = digestRoutes({ db: pg.db, secretKey, timezone: 'Europe/Paris', baseUrl: BASE_URL, now: () => NOW })
    const [ana] = await pg.db.insert(users).values({ email: 'ana@example.com', role: 'marketing' }).returning()
    anaId = ana!.id
    token = (await createApiToken(pg.db, { name: 'test', role: 'viewer' })).token
    const [promise] = await pg.db
      .insert(promises)
      .values({ title: '<img src=x onerror=alert(1)> Order', dailyCustomers: 1440, createdAt: new Date('2026-10-01T00:00:00Z') })
      .returning()
    await pg.db.insert(breaks).values({
      promiseId: promise!.id,
      openedAt: new Date('2026-11-17T10:00:00Z'),
      resolvedAt: new Date('2026-11-17T11:30:00Z'),
      openedByRunId: randomUUID(),
    })
  })
  afterAll(async () => {
    await pg?.drop()
  })

  const pathOf = (url: string) => {
    const u = new URL(url)
    return u.pathname.replace(/^\/digests/, '') + u.search
  }

  it('unsubscribes with a signed link, without signing in', async () => {
    expect((await digestRecipients(pg.db, [])).map((r) => r.address)).toEqual(['ana@example.com'])
    const res = await app.request(pathOf(unsubscribeUrl(BASE_URL, secretKey, anaId)))
    expect(res.status).toBe(200)
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    const page = await res.text()
    expect(page).toContain('You are unsubscribed')
    expect(page).toContain('ana@example.com')
    const [row] = await pg.db.select().from(users).where(eq(users.id, anaId))
    expect(row!.digestOptOut).toBe(true)
    expect(await digestRecipients(pg.db, [])).toEqual([])
    await pg.db.update(users).set({ digestOptOut: false }).where(eq(users.id, anaId))
  })

  it('refuses a link whose signature does not match, and changes nothing', async () => {
    const forged = await app.request(`/unsubscribe?u=${anaId}&sig=${unsubscribeSignature(Buffer.alloc(32, 1), anaId)}`)
    expect(forged.status).toBe(400)
    expect(await forged.text()).toContain('This unsubscribe link is not valid')
    expect((await app.request(`/unsubscribe?u=not-a-uuid&sig=x`)).status).toBe(400)
    expect((await app.request(`/unsubscribe`)).status).toBe(400)
    const [row] = await pg.db.select().from(users).where(eq(users.id, anaId))
    expect(row!.digestOptOut).toBe(false)

    const nobody = randomUUID()
    expect((await app.request(`/unsubscribe?u=${nobody}&sig=${unsubscribeSignature(secretKey, nobody)}`)).status).toBe(404)
  })

  it('shows a week’s digest as a page to signed-in users, with a week picker', async () => {
    const anonymous = await app.request('/preview?week=2026-W47')
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.get('location')).toBe('/login?next=%2Fpreview%3Fweek%3D2026-W47')

    const auth = { headers: { authorization: `Bearer ${token}` } }
    const res = await app.request('/preview?week=2026-W47', auth)
    expect(res.status).toBe(200)
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).not.toContain('script-src')
    const page = await res.text()
    expect(page).toContain('0 of 1 promise kept all week; 1 broke for 1 h 30 min, about 90 customers affected')
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt; Order')
    expect(page).not.toContain('<img')
    expect(page).not.toContain('<script')
    const options = [...page.matchAll(/<option value="([^"]+)"( selected="")?/g)]
    expect(options).toHaveLength(12)
    expect(options[0]![1]).toBe('2026-W47')
    expect(options[0]![2]).toBeDefined()
    expect(options[11]![1]).toBe('2026-W36')
    expect(page).toContain('2026-W46 · Mon 9 Nov – Sun 15 Nov 2026')
    // In the app's own frame: its navigation, the digest marked current.
    expect(page).toMatch(/<nav aria-label="Main">/)
    expect(page).toMatch(/<a href="\/digests\/preview" aria-current="page">/)
    expect(res.headers.get('cache-control')).toBe('no-store')

    // Without a week: last week.
    expect(await (await app.request('/preview', auth)).text()).toContain('Kept · weekly NPS-risk digest · 2026-W47')
  })

  it('answers 400 naming the week when it is malformed or still to come', async () => {
    const auth = { headers: { authorization: `Bearer ${token}` } }
    const bad = await app.request('/preview?week=2026-47', auth)
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('week: expected an ISO week like 2026-W47, got &quot;2026-47&quot;')
    const future = await app.request('/preview?week=2026-W49', auth)
    expect(future.status).toBe(400)
    expect(await future.text()).toContain('week: expected a week that has started, got &quot;2026-W49&quot;')
  })
})
