import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { can, type Action } from '../../src/auth/permissions.ts'
import { breakNotes, breaks, channels, promiseChannels, promises, type Role } from '../../src/db/schema.ts'
import { createApiToken } from '../../src/auth/tokens.ts'
import { createUser } from '../../src/auth/users.ts'
import { apiTokens, users } from '../../src/db/schema.ts'
import { pageRoutes } from '../../src/ui/app.tsx'
import { loginLimiter } from '../../src/ui/login-limiter.ts'
import { fakeTry, PASSWORD, recordingScheduler, seedShowcase, usersByRole, type Signed } from '../e2e/ui-fixtures.ts'
import { freshDatabase } from '../support/db.ts'

// The pages through app.request() against a real Postgres: sign-in, CSRF,
// every POST route refused to the roles that may not use it, and user
// text always escaped.

let pg: Awaited<ReturnType<typeof freshDatabase>>
let dataDir: string
let app: ReturnType<typeof pageRoutes>
let who: Record<Role, Signed>
let seeded: Awaited<ReturnType<typeof seedShowcase>>
const scheduler = recordingScheduler()
let tryJourney: ReturnType<typeof fakeTry>
let target: string
let spareUser: string
let spareToken: string

beforeAll(async () => {
  pg = await freshDatabase()
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-ui-'))
  tryJourney = fakeTry(dataDir)
  who = await usersByRole(pg.db)
  seeded = await seedShowcase(pg.db)
  const [row] = await pg.db.insert(promises).values({ title: 'Role target', journey: 'go to http://127.0.0.1:4100/' }).returning()
  target = row!.id
  spareUser = (await createUser(pg.db, { email: 'spare@example.com', password: PASSWORD, role: 'viewer' })).id
  spareToken = (await createApiToken(pg.db, { name: 'spare', role: 'viewer' })).id
  app = pageRoutes({
    db: pg.db,
    scheduler,
    tryJourney,
    dataDir,
    loginLimiter: loginLimiter(),
    secretKey: Buffer.alloc(32, 7),
    testChannel: async () => {},
  })
})
afterAll(async () => {
  await pg?.drop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

function as(user: Signed | null, pathName: string, init: { method?: string; form?: Record<string, string | string[]>; csrf?: string | null; json?: unknown; base?: string } = {}) {
  const headers: Record<string, string> = {}
  if (user) headers.cookie = user.cookie
  let body: string | undefined
  if (init.form) {
    const form = new URLSearchParams()
    const csrf = init.csrf === undefined ? user?.csrf : init.csrf
    if (csrf !== null && csrf !== undefined) form.append('_csrf', csrf)
    for (const [k, v] of Object.entries(init.form)) for (const one of [v].flat()) form.append(k, one)
    body = form.toString()
    headers['content-type'] = 'application/x-www-form-urlencoded'
  } else if (init.json !== undefined) {
    body = JSON.stringify(init.json)
    headers['content-type'] = 'application/json'
    const csrf = init.csrf === undefined ? user?.csrf : init.csrf
    if (csrf) headers['x-csrf-token'] = csrf
  }
  return app.request(`${init.base ?? 'http://localhost'}${pathName}`, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body })
}

const validForm = (title: string) => ({
  title,
  description: 'From the home page to a confirmed order.',
  journey: 'go to http://127.0.0.1:4100/\nclick "Shop now"\nclick "Add to cart"\nclick "Place order"\nexpect "Order confirmed"',
  maxClicks: '3',
  maxSeconds: '60',
  maxStepSeconds: '',
  maxLcpMs: '',
  maxA11yViolations: '',
  scheduleKind: 'every',
  everySeconds: '120',
  cron: '',
  timezone: 'UTC',
  dailyCustomers: '1200',
  detractorPercent: '25',
  device: 'desktop',
  marketingOwner: 'ana@example.com',
  techOwner: 'tom@example.com',
})

describe('signing in', () => {
  it('sends a visitor without a session to the login page, and back after', async () => {
    const res = await as(null, '/breaks?page=2')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login?next=%2Fbreaks%3Fpage%3D2')
  })

  it('signs in with the login form and sets an http-only SameSite=Lax cookie', async () => {
    const page = await as(null, '/login?next=/breaks')
    expect(page.status).toBe(200)
    const html = await page.text()
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!
    const loginCookie = page.headers.get('set-cookie')!.split(';')[0]!
    const form = new URLSearchParams({ _csrf: csrf, email: who.viewer.email, password: PASSWORD, next: '/breaks' })
    const res = await app.request('http://localhost/login', {
      method: 'POST',
      headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/breaks')
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('kept_session='))!
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    expect(cookie).not.toMatch(/Secure/i)
    const dashboard = await app.request('http://localhost/', { headers: { cookie: cookie.split(';')[0]! } })
    expect(dashboard.status).toBe(200)
  })

  it('marks the cookie Secure over https, and never redirects off the site', async () => {
    const page = await as(null, '/login', { base: 'https://kept.example.com' })
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!
    const res = await app.request('https://kept.example.com/login', {
      method: 'POST',
      headers: { cookie: page.headers.get('set-cookie')!.split(';')[0]!, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, email: who.tech.email, password: PASSWORD, next: '//evil.example/x' }).toString(),
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/')
    expect(res.headers.getSetCookie().find((c) => c.startsWith('kept_session='))).toMatch(/Secure/)
  })

  it('refuses a wrong password, a login form without its token, and a sixth try in a minute', async () => {
    const page = await as(null, '/login')
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!
    const post = (fields: Record<string, string>, withCookie = true) =>
      app.request('http://localhost/login', {
        method: 'POST',
        headers: { ...(withCookie ? { cookie } : {}), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      })
    const noToken = await post({ email: who.admin.email, password: PASSWORD }, false)
    expect(noToken.status).toBe(403)
    const wrong = await post({ _csrf: csrf, email: who.admin.email, password: 'not-the-password' })
    expect(wrong.status).toBe(401)
    const html = await wrong.text()
    expect(html).toContain('do not match')
    expect(html).toContain(`value="${who.admin.email}"`)
    for (let i = 0; i < 4; i++) expect((await post({ _csrf: csrf, email: who.admin.email, password: 'nope-nope' })).status).toBe(401)
    // The sixth try in the minute is refused, even with the right password.
    const limited = await post({ _csrf: csrf, email: who.admin.email, password: PASSWORD })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('signs out with a POST carrying the token', async () => {
    const { createSession } = await import('../../src/auth/sessions.ts')
    const s = await createSession(pg.db, who.viewer.userId)
    const user = { ...who.viewer, cookie: `kept_session=${s.cookieValue}`, csrf: s.csrfToken }
    expect((await as(user, '/logout', { form: {}, csrf: 'wrong' })).status).toBe(403)
    const out = await as(user, '/logout', { form: {} })
    expect(out.status).toBe(303)
    expect((await as(user, '/')).status).toBe(303)
  })
})

describe('CSRF', () => {
  it('refuses a form without the token, or with another session’s', async () => {
    const before = (await pg.db.select().from(promises)).length
    const missing = await as(who.marketing, '/promises/new', { form: validForm('No token'), csrf: null })
    expect(missing.status).toBe(403)
    expect(await missing.text()).toContain('expired or did not come from Kept')
    const other = await as(who.marketing, '/promises/new', { form: validForm('Wrong token'), csrf: who.admin.csrf })
    expect(other.status).toBe(403)
    const json = await as(who.marketing, '/promises/validate', { json: { journey: 'go to x' }, csrf: null })
    expect(json.status).toBe(403)
    expect((await pg.db.select().from(promises)).length).toBe(before)
  })
})

describe('roles', () => {
  type Route = { path: () => string; action: Action; form?: Record<string, string>; json?: unknown }
  const routes: Route[] = [
    { path: () => '/promises/new', action: 'promise.write', form: validForm('Role check') },
    { path: () => '/promises/validate', action: 'promise.write', json: { journey: 'go to http://x.test/' } },
    { path: () => `/promises/${target}/edit`, action: 'promise.write', form: validForm('Role check edit') },
    { path: () => `/promises/${target}/run`, action: 'promise.run', form: {} },
    { path: () => `/promises/${target}/pause`, action: 'promise.write', form: {} },
    { path: () => `/promises/${target}/resume`, action: 'promise.write', form: {} },
    { path: () => `/promises/${seeded.newsletter.id}/delete`, action: 'promise.write', form: {} },
    { path: () => `/breaks/${seeded.openBreak.id}/notes`, action: 'break.ack', form: { body: 'Looking' } },
    { path: () => `/breaks/${seeded.openBreak.id}/ack`, action: 'break.ack', form: {} },
    { path: () => '/channels', action: 'channel.write', form: { type: 'webhook', name: 'hook', url: 'http://127.0.0.1:9/x', secret: 'a-long-shared-secret' } },
    { path: () => `/channels/${'00000000-0000-4000-8000-000000000000'}/test`, action: 'channel.write', form: {} },
    { path: () => '/users', action: 'user.admin', form: { email: 'new-role@example.com', role: 'viewer', password: 'a-long-password' } },
    { path: () => `/users/${spareUser}/disable`, action: 'user.admin', form: {} },
    { path: () => `/users/${spareUser}/enable`, action: 'user.admin', form: {} },
    { path: () => '/tokens', action: 'user.admin', form: { name: 'role-token', role: 'viewer' } },
    { path: () => `/tokens/${spareToken}/revoke`, action: 'user.admin', form: {} },
  ]

  it('refuses every POST route to every role that may not use it (403), whatever the token', async () => {
    let refusals = 0
    for (const route of routes) {
      for (const role of ['viewer', 'marketing', 'tech'] as const) {
        if (can(role, route.action)) continue
        const res = await as(who[role], route.path(), { form: route.form, json: route.json })
        expect(res.status, `${role} POST ${route.path()}`).toBe(403)
        refusals++
      }
    }
    expect(refusals).toBeGreaterThan(15)
    // Nothing moved.
    const [row] = await pg.db.select().from(promises).where(eq(promises.id, target))
    expect(row!.title).toBe('Role target')
    expect(row!.paused).toBe(false)
    expect((await pg.db.select().from(breakNotes)).length).toBe(0)
    expect((await pg.db.select().from(channels)).length).toBe(2)
    expect(await pg.db.select().from(users).where(eq(users.email, 'new-role@example.com'))).toHaveLength(0)
    expect(await pg.db.select().from(apiTokens).where(eq(apiTokens.name, 'role-token'))).toHaveLength(0)
    expect(scheduler.calls).toEqual([])
  })

  it('lets the roles that may (role check first, then the POST does its job)', async () => {
    for (const route of routes) {
      const role = (['marketing', 'tech', 'admin'] as const).find((r) => can(r, route.action))!
      const res = await as(who[role], route.path(), { form: route.form, json: route.json })
      expect(res.status, `${role} POST ${route.path()}`).not.toBe(403)
    }
    expect(scheduler.calls).toContain(`run:${target}`)
    expect(scheduler.calls).toContain(`remove:${seeded.newsletter.id}`)
    const [brk] = await pg.db.select().from(breaks).where(eq(breaks.id, seeded.openBreak.id))
    expect(brk!.acknowledgedBy).toBe(who.tech.email)
    const [revoked] = await pg.db.select().from(apiTokens).where(eq(apiTokens.id, spareToken))
    expect(revoked!.revokedAt).not.toBeNull()
  })

  it('hides the forms and buttons a viewer may not use', async () => {
    const dashboard = await (await as(who.viewer, '/')).text()
    expect(dashboard).not.toContain('href="/promises/new"')
    expect(dashboard).not.toContain('href="/channels"')
    expect(dashboard).not.toContain('href="/users"')
    const page = await (await as(who.viewer, `/promises/${seeded.checkout.id}`)).text()
    expect(page).not.toContain('/edit"')
    expect(page).not.toContain('Run now')
    expect(page).not.toContain('Pause')
    const breaksPage = await (await as(who.viewer, '/breaks')).text()
    expect(breaksPage).not.toContain('/ack"')
    expect(breaksPage).not.toContain('Add a note')
    expect((await as(who.viewer, '/promises/new')).status).toBe(403)
    expect((await as(who.viewer, '/channels')).status).toBe(403)
    expect((await as(who.marketing, '/channels')).status).toBe(403)
    expect((await as(who.tech, '/users')).status).toBe(403)
    const mine = await (await as(who.marketing, `/promises/${seeded.checkout.id}`)).text()
    expect(mine).toContain(`/promises/${seeded.checkout.id}/edit`)
  })
})

describe('users and tokens', () => {
  it('adds a user who can then sign in, and shows a new token once, never in a URL', async () => {
    const bad = await as(who.admin, '/users', { form: { email: 'not-an-email', role: 'tech', password: 'short' } })
    expect(bad.status).toBe(400)
    const badHtml = await bad.text()
    expect(badHtml).toMatch(/id="user-email-error"[^>]*>Expected an email address/)
    expect(badHtml).toMatch(/id="user-password-error"[^>]*>Expected at least 8/)
    expect(badHtml).toContain('value="not-an-email"')
    const added = await as(who.admin, '/users', { form: { email: 'tess@example.com', role: 'tech', password: 'tess-password' } })
    expect(added.status).toBe(303)
    const again = await as(who.admin, '/users', { form: { email: 'TESS@example.com', role: 'tech', password: 'tess-password' } })
    expect(await again.text()).toContain('exists already')
    const [tess] = await pg.db.select().from(users).where(eq(users.email, 'tess@example.com'))
    expect(tess!.role).toBe('tech')

    const made = await as(who.admin, '/tokens', { form: { name: 'ci', role: 'viewer' } })
    expect(made.status).toBe(200)
    expect(made.headers.get('cache-control')).toBe('no-store')
    const token = /<code class="token">([^<]+)<\/code>/.exec(await made.text())![1]!
    expect(token).toMatch(/^kept_/)
    expect(await (await as(who.admin, '/users')).text()).not.toContain(token)
  })

  it('disables a user: their session stops working; nobody disables themselves', async () => {
    const { createSession } = await import('../../src/auth/sessions.ts')
    const victim = await createUser(pg.db, { email: 'gone-soon@example.com', password: PASSWORD, role: 'viewer' })
    const s = await createSession(pg.db, victim.id)
    const cookie = `kept_session=${s.cookieValue}`
    expect((await app.request('http://localhost/', { headers: { cookie } })).status).toBe(200)
    expect((await as(who.admin, `/users/${victim.id}/disable`, { form: {} })).status).toBe(303)
    expect((await app.request('http://localhost/', { headers: { cookie } })).status).toBe(303)
    await as(who.admin, `/users/${who.admin.userId}/disable`, { form: {} })
    const [me] = await pg.db.select().from(users).where(eq(users.id, who.admin.userId))
    expect(me!.disabledAt).toBeNull()
  })
})

describe('the promise form', () => {
  it('keeps what was typed and puts each error next to its field', async () => {
    const res = await as(who.marketing, '/promises/new', {
      form: { ...validForm('Order online <fast>'), journey: 'go to http://127.0.0.1:4100/\nclik "Shop now"', everySeconds: '5', techOwner: 'not-an-email' },
    })
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toContain('value="Order online &lt;fast&gt;"')
    expect(html).toContain('clik &quot;Shop now&quot;')
    expect(html).toMatch(/id="journey-error"[^>]*>Line 2: expected a step such as go to/)
    expect(html).toMatch(/aria-invalid="true" aria-describedby="journey-hint journey-error/)
    expect(html).toMatch(/id="everySeconds-error"[^>]*>Expected at least 30 seconds/)
    expect(html).toMatch(/id="techOwner"[^>]*aria-invalid="true"[^>]*aria-describedby="techOwner-hint techOwner-error"/)
    expect(await pg.db.select().from(promises).where(eq(promises.title, 'Order online <fast>'))).toHaveLength(0)
  })

  it('tries the journey, shows each step and the screenshot, then saves and schedules it', async () => {
    const { channels: channelRows } = { channels: await pg.db.select().from(channels) }
    const form = { ...validForm('Order online in 3 clicks (form)'), maxClicks: '', maxSeconds: '', channels: [channelRows[0]!.id] }
    const tried = await as(who.marketing, '/promises/new', { form: { ...form, intent: 'try' } as never })
    expect(tried.status).toBe(200)
    const html = await tried.text()
    expect(html).toContain('The promise was kept on this walk.')
    expect(html).toContain('click &quot;Add to cart&quot;')
    // Budgets were empty: the wording's suggestion is used and shown.
    expect(tryJourney.specs.at(-1)!.budgets.maxClicks).toBe(3)
    expect(html).toMatch(/id="budget-maxClicks"[^>]*value="3"/)
    const shot = /src="(\/promises\/try\/[^"]+\/screenshot)"/.exec(html)![1]!
    const png = await as(who.marketing, shot)
    expect(png.status).toBe(200)
    expect(png.headers.get('content-type')).toBe('image/png')
    expect((await as(who.admin, shot)).status).toBe(404) // someone else's try
    expect(await pg.db.select().from(promises).where(eq(promises.title, 'Order online in 3 clicks (form)'))).toHaveLength(0)

    const saved = await as(who.marketing, '/promises/new', { form: { ...form, maxClicks: '3', intent: 'save' } as never })
    expect(saved.status).toBe(303)
    const [row] = await pg.db.select().from(promises).where(eq(promises.title, 'Order online in 3 clicks (form)'))
    expect(saved.headers.get('location')).toBe(`/promises/${row!.id}?notice=saved`)
    expect(row!.budgets).toEqual({ maxClicks: 3 })
    expect(row!.scheduleEverySeconds).toBe(120)
    expect(row!.detractorRate).toBe(0.25)
    expect(row!.createdBy).toBe(who.marketing.userId)
    expect(await pg.db.select().from(promiseChannels).where(eq(promiseChannels.promiseId, row!.id))).toHaveLength(1)
    expect(scheduler.calls).toContain(`sync:${row!.id}`)
  })

  it('validates a journey live for the form script', async () => {
    const res = await as(who.marketing, '/promises/validate', { json: { journey: 'go to http://x.test/\nclik "A"', title: 'Checkout in under a minute' } })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { errors: { line: number; column: number }[]; budgets: { maxSeconds?: number } }
    expect(body.errors[0]).toMatchObject({ line: 2, column: 1 })
    expect(body.budgets.maxSeconds).toBe(60)

    // The promise names a gift card; the steps never check one: warned, with the step to add.
    const warned = await as(who.marketing, '/promises/validate', { json: { journey: 'go to http://x.test/\nclick "Espresso cup"', title: 'Order a gift card in 2 clicks' } })
    expect(((await warned.json()) as { warnings: { suggestion: string }[] }).warnings).toMatchObject([{ suggestion: 'expect "Gift card"' }])
  })
})

describe('safe output', () => {
  it('renders a promise title with HTML as text, everywhere', async () => {
    const title = '<script>alert(1)</script><b onmouseover="x()">Bold</b>'
    const [row] = await pg.db
      .insert(promises)
      .values({ title, journey: 'go to http://127.0.0.1:4100/', description: '<img src=x onerror=alert(2)>', marketingOwner: '"><svg onload=alert(3)>' })
      .returning()
    for (const url of ['/', `/promises/${row!.id}`, `/promises/${row!.id}/edit`, `/promises/${row!.id}/delete`]) {
      const html = await (await as(who.admin, url)).text()
      expect(html, url).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
      expect(html, url).not.toContain('<script>alert(1)')
      expect(html, url).not.toContain('<b onmouseover')
      expect(html, url).not.toContain('<img src=x')
      expect(html, url).not.toContain('<svg onload')
    }
  })

  it('sends a content security policy allowing only this site, and other secure headers', async () => {
    const res = await as(who.viewer, '/')
    const csp = res.headers.get('content-security-policy')!
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    const html = await res.text()
    expect(html).not.toMatch(/<script>|style="/)
    const css = /href="(\/assets\/kept\.[0-9a-f]+\.css)"/.exec(html)![1]!
    const sheet = await as(null, css)
    expect(sheet.status).toBe(200)
    expect(sheet.headers.get('cache-control')).toContain('immutable')
  })

  it('never lets a browser or proxy keep what a signed-in person saw', async () => {
    for (const page of ['/', `/promises/${target}`, '/alerts', '/channels', '/settings/secrets', '/maintenance', '/users']) {
      const res = await as(who.admin, page)
      expect(res.status, page).toBe(200)
      expect(res.headers.get('cache-control'), page).toBe('no-store')
    }
    // A stranger's login page is nobody's data.
    expect((await as(null, '/login')).headers.get('cache-control')).toBeNull()
  })
})

describe('dashboard', () => {
  it('shows state, kept rates from the rollups, and filters by state and owner', async () => {
    const html = await (await as(who.viewer, '/')).text()
    expect(html).toContain('Checkout in under a minute')
    expect(html).toMatch(/role="img" aria-label="Kept rate per day over 30 days/)
    const broken = await (await as(who.viewer, '/?state=broken')).text()
    expect(broken).toContain('Checkout in under a minute')
    expect(broken).not.toContain('Find a store in 2 clicks')
    const owner = await (await as(who.viewer, '/?owner=ana%40example.com')).text()
    expect(owner).toContain('Find a product in 2 searches')
    expect(owner).not.toContain('Checkout in under a minute')
  })

  it('explains what to do next when there is no promise', async () => {
    const empty = await freshDatabase()
    try {
      const users = await usersByRole(empty.db, 'empty')
      const bare = pageRoutes({ db: empty.db, scheduler, tryJourney, dataDir })
      const html = await (await bare.request('http://localhost/', { headers: { cookie: users.marketing.cookie } })).text()
      expect(html).toContain('No promises yet')
      expect(html).toContain('Register your first promise')
    } finally {
      await empty.drop()
    }
  })
})
