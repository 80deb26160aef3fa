import { randomUUID } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { AxeBuilder } from '@axe-core/playwright'
import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReadCache } from '../../src/api/read-cache.ts'
import { breakNotes, breaks, maintenanceWindows, promises, runRollups } from '../../src/db/schema.ts'
import { closeServer } from '../../src/infra/close-server.ts'
import { CHROMIUM_ARGS } from '../../src/runner/chromium-args.ts'
import { statusRoutes } from '../../src/status/routes.ts'
import { assetRoutes } from '../../src/ui/assets/index.ts'
import { useFreshDatabase } from '../support/db.ts'

// The public status page: what customers may see of public promises, and
// nothing else: never a journey, an address, an owner, a failure's words
// or an internal note. In a real browser, with axe.

// test-results/screenshots on every run; KEPT_README_SCREENSHOTS=1 refreshes the docs' in docs/.
const SCREENSHOTS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  process.env.KEPT_README_SCREENSHOTS === '1' ? '../../docs/screenshots' : '../../test-results/screenshots',
)

const pg = useFreshDatabase()
const HOUR = 3_600_000
const now = new Date()
const SECRET_WORDS = ['127.0.0.1:4100', 'ana@example.com', 'tom@example.com', 'Payment service unavailable', 'rolled back deploy 4812', 'Internal checkout']
let app: Hono
let ids: { kept: string; broken: string; hidden: string; resolvedBreak: string; openBreak: string }

beforeAll(async () => {
  const journey = 'go to http://127.0.0.1:4100/\nclick "Shop now"\nclick "Place order"\nexpect "Order confirmed"'
  const common = { journey, marketingOwner: 'ana@example.com', techOwner: 'tom@example.com', public: true }
  const [kept, broken, hidden] = await pg.db
    .insert(promises)
    .values([
      { ...common, title: 'Internal checkout v2 (3 clicks)', publicTitle: 'Order online in 3 clicks', state: 'kept' },
      { ...common, title: 'Find a store in 2 clicks', state: 'broken' },
      { ...common, title: 'Internal admin login', public: false, state: 'broken' },
    ])
    .returning()
  // Walked every hour of the last 10 days.
  const rollups = [kept!, broken!, hidden!].flatMap((p) =>
    Array.from({ length: 240 }, (_, h) => ({ promiseId: p.id, hour: new Date(Math.floor(now.getTime() / HOUR) * HOUR - h * HOUR), runs: 12, kept: p === broken && h < 2 ? 0 : 12, broken: p === broken && h < 2 ? 12 : 0 })),
  )
  await pg.db.insert(runRollups).values(rollups)
  const failure = { kind: 'step' as const, line: 4, message: 'expected "Order confirmed" on http://127.0.0.1:4100/order; the page shows "Payment service unavailable"' }
  const [resolvedBreak] = await pg.db
    .insert(breaks)
    .values({ promiseId: kept!.id, openedAt: new Date(now.getTime() - 3 * 24 * HOUR), resolvedAt: new Date(now.getTime() - 3 * 24 * HOUR + 95 * 60_000), openedByRunId: randomUUID(), failure })
    .returning()
  const [openBreak] = await pg.db.insert(breaks).values({ promiseId: broken!.id, openedAt: new Date(now.getTime() - 2 * HOUR), openedByRunId: randomUUID(), failure }).returning()
  await pg.db.insert(breaks).values({ promiseId: hidden!.id, openedAt: new Date(now.getTime() - HOUR), openedByRunId: randomUUID(), failure })
  await pg.db.insert(breakNotes).values([
    { breakId: resolvedBreak!.id, author: 'tom@example.com', body: 'Payments were slow; we moved to a second provider. Sorry!', public: true },
    { breakId: resolvedBreak!.id, author: 'tom@example.com', body: 'rolled back deploy 4812', public: false },
  ])
  await pg.db.insert(maintenanceWindows).values({ promiseId: kept!.id, startsAt: new Date(now.getTime() + 24 * HOUR), endsAt: new Date(now.getTime() + 25 * HOUR), reason: 'Internal checkout migration' })
  ids = { kept: kept!.id, broken: broken!.id, hidden: hidden!.id, resolvedBreak: resolvedBreak!.id, openBreak: openBreak!.id }
  app = new Hono()
    .route('/', assetRoutes())
    .route('/', statusRoutes({ db: pg.db, name: 'Demo Coffee Shop', cache: createReadCache({ ttlMs: 0 }), cacheSeconds: 10 }))
})

const get = (path: string) => app.request(`http://127.0.0.1:3000${path}`)

describe('the public status page', () => {
  it('lists only public promises, in customers’ words, with their state, history and incidents', async () => {
    const res = await get('/status.json')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('public, max-age=10')
    const body = (await res.json()) as {
      summary: { state: string; text: string }
      promises: { id: string; title: string; state: string; keptRate: number; days: { date: string; state: string; brokenMinutes: number }[] }[]
      incidents: { id: string; promiseId: string; title: string; resolvedAt: string | null; notes: { body: string }[] }[]
      maintenance: { start: string; promises: { title: string }[] }[]
    }
    expect(body.summary).toEqual({ state: 'broken', text: '1 promise is broken right now.' })
    expect(body.promises.map((p) => [p.title, p.state])).toEqual([
      ['Find a store in 2 clicks', 'broken'],
      ['Order online in 3 clicks', 'kept'],
    ])
    const kept = body.promises.find((p) => p.id === ids.kept)!
    expect(kept.days).toHaveLength(90)
    expect(kept.days.at(-1)!.date).toBe(now.toISOString().slice(0, 10))
    const breakDay = kept.days.find((d) => d.brokenMinutes > 0)!
    expect(breakDay).toMatchObject({ state: 'broken' })
    expect(breakDay.brokenMinutes).toBeGreaterThanOrEqual(60)
    expect(kept.days.filter((d) => d.state === 'none').length).toBeGreaterThanOrEqual(79)
    expect(kept.keptRate).toBe(1)
    expect(body.incidents.map((i) => [i.id, i.title, i.resolvedAt === null])).toEqual([
      [ids.openBreak, 'Find a store in 2 clicks', true],
      [ids.resolvedBreak, 'Order online in 3 clicks', false],
    ])
    expect(body.incidents[1]!.notes.map((n) => n.body)).toEqual(['Payments were slow; we moved to a second provider. Sorry!'])
    expect(body.maintenance).toHaveLength(1)
    expect(body.maintenance[0]!.promises).toEqual([{ id: ids.kept, title: 'Order online in 3 clicks' }])
  })

  it('never shows a journey, an address, an owner, a failure, an internal title or note, nor a private promise', async () => {
    for (const path of ['/status', '/status.json', '/status/feed.atom', `/status/${ids.kept}/badge.svg`]) {
      const text = await (await get(path)).text()
      for (const words of SECRET_WORDS) expect(text, `${path} shows "${words}"`).not.toContain(words)
      expect(text).not.toContain(ids.hidden)
    }
  })

  it('serves the page without a script, behind a policy of its own origin only', async () => {
    const res = await get('/status')
    expect(res.headers.get('content-type')).toContain('text/html')
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    const html = await res.text()
    expect(html).not.toContain('<script')
    expect(html).toContain('1 promise is broken right now.')
    expect(html).toContain('Payments were slow; we moved to a second provider. Sorry!')
    expect(html).toMatch(/Order online in 3 clicks<\/h3><span class="badge s-kept">Kept<\/span>/)
  })

  it('badges public promises only', async () => {
    const badge = await get(`/status/${ids.kept}/badge.svg`)
    expect(badge.status).toBe(200)
    expect(badge.headers.get('content-type')).toBe('image/svg+xml')
    const svg = await badge.text()
    expect(svg).toMatch(/^<svg /)
    expect(svg).toContain('kept')
    expect(svg).toContain('Order online in 3 clicks')
    expect(await (await get(`/status/${ids.broken}/badge.svg`)).text()).toContain('broken')
    expect((await get(`/status/${ids.hidden}/badge.svg`)).status).toBe(404)
    expect((await get(`/status/${randomUUID()}/badge.svg`)).status).toBe(404)
    expect((await get('/status/not-an-id/badge.svg')).status).toBe(404)
  })

  it('publishes incidents as an Atom feed with their public notes', async () => {
    const res = await get('/status/feed.atom')
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8')
    const xml = await res.text()
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom">')
    expect(xml).toContain('<title>Demo Coffee Shop: incidents</title>')
    expect(xml.match(/<entry>/g)).toHaveLength(2)
    expect(xml).toContain(`http://127.0.0.1:3000/status#incident-${ids.resolvedBreak}`)
    expect(xml).toContain('Order online in 3 clicks: resolved')
    expect(xml).toContain('Find a store in 2 clicks: broken')
    expect(xml).toContain('Payments were slow; we moved to a second provider. Sorry!')
  })

  it('answers from one snapshot while it is fresh', async () => {
    let reads = 0
    const counted = new Hono().route(
      '/',
      statusRoutes({ db: new Proxy(pg.db, { get: (db, key) => (key === 'select' && reads++, Reflect.get(db, key)) }), name: 'x', cache: createReadCache({ ttlMs: 60_000 }), cacheSeconds: 60 }),
    )
    await Promise.all(Array.from({ length: 20 }, (_, i) => counted.request(['/status', '/status.json', '/status/feed.atom'][i % 3]!)))
    const first = reads
    await counted.request('/status.json')
    expect(first).toBeGreaterThan(0)
    expect(reads).toBe(first)
  })
})

describe('the public status page in a browser', { timeout: 120_000 }, () => {
  let server: ServerType
  let browser: Browser
  beforeAll(async () => {
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    browser = await chromium.launch({ executablePath: process.env.KEPT_CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
  })
  afterAll(async () => {
    await browser?.close()
    if (server) await closeServer(server)
  })

  it('has no axe violation, and fits a phone', async () => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    for (const viewport of [{ width: 1280, height: 800 }, { width: 360, height: 760 }]) {
      // The page has no script; axe brings its own.
      const context = await browser.newContext({ viewport })
      const page = await context.newPage()
      await page.goto(`${base}/status`)
      const result = await new AxeBuilder({ page }).analyze()
      expect(result.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([])
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0)
      // The history says itself to a screen reader.
      expect(await page.getByRole('img', { name: /^Broken on 1 of the last 90 days, most recently/ }).count()).toBe(2)
      await mkdir(SCREENSHOTS, { recursive: true })
      await page.screenshot({ path: path.join(SCREENSHOTS, viewport.width < 600 ? 'status-page-phone.png' : 'status-page.png'), fullPage: true })
      await context.close()
    }
  })
})
