import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { AxeBuilder } from '@axe-core/playwright'
import { serve, type ServerType } from '@hono/node-server'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../../src/db/schema.ts'
import { CHROMIUM_ARGS } from '../../src/runner/chromium-args.ts'
import { pageRoutes } from '../../src/ui/app.tsx'
import { fakeTry, recordingScheduler, seedShowcase, usersByRole, type Signed } from '../e2e/ui-fixtures.ts'
import { freshDatabase } from '../support/db.ts'
import { closeServer } from '../../src/infra/close-server.ts'

// Every page in a real Chromium, checked by axe-core: no serious or
// critical violation. The same run saves the README's screenshots.

// test-results/screenshots on every run; KEPT_README_SCREENSHOTS=1 refreshes the README's in docs/.
const SCREENSHOTS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  process.env.KEPT_README_SCREENSHOTS === '1' ? '../../docs/screenshots' : '../../test-results/screenshots',
)
const VIEWPORT = { width: 1280, height: 800 }

let pg: Awaited<ReturnType<typeof freshDatabase>>
let dataDir: string
let server: ServerType
let base: string
let browser: Browser
let who: Record<Role, Signed>
let seeded: Awaited<ReturnType<typeof seedShowcase>>

beforeAll(async () => {
  pg = await freshDatabase()
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-a11y-'))
  who = await usersByRole(pg.db, 'a11y')
  seeded = await seedShowcase(pg.db)
  const app = pageRoutes({
    db: pg.db,
    scheduler: recordingScheduler(),
    tryJourney: fakeTry(dataDir),
    dataDir,
    secretKey: Buffer.alloc(32, 1),
    testChannel: async () => {},
  })
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  browser = await chromium.launch({ executablePath: process.env.KEPT_CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
  await mkdir(SCREENSHOTS, { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  if (server) await closeServer(server)
  await pg?.drop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

async function signedIn(user: Signed): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT })
  const [name, value] = user.cookie.split('=') as [string, string]
  await context.addCookies([{ name, value, url: base, httpOnly: true, sameSite: 'Lax' }])
  return context
}

async function expectAccessible(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).analyze()
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
  expect(bad, what).toEqual([])
}

describe('pages in Chromium', { timeout: 180_000 }, () => {
  it('finds what axe finds (the check can fail)', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.setContent('<html><body><img src="x.png"><input type="text"></body></html>')
    const result = await new AxeBuilder({ page }).analyze()
    expect(result.violations.map((v) => v.id)).toEqual(expect.arrayContaining(['image-alt', 'label']))
    await context.close()
  })

  it('has no serious or critical axe violation on any page, for an admin', async () => {
    const context = await signedIn(who.admin)
    const page = await context.newPage()
    const urls = [
      '/',
      '/?state=broken',
      `/promises/${seeded.checkout.id}`,
      `/promises/${seeded.order.id}/edit`,
      `/promises/${seeded.order.id}/delete`,
      '/promises/new',
      '/breaks',
      '/channels',
      '/channels?type=webhook',
      '/users',
    ]
    for (const url of urls) {
      const res = await page.goto(base + url)
      expect(res?.status(), url).toBe(200)
      await expectAccessible(page, url)
    }
    // A refused form, with errors next to its fields, and a try's result.
    await page.goto(`${base}/promises/new`)
    await page.getByLabel('Steps, one a line').fill('go to http://127.0.0.1:4100/\nclik "Shop now"')
    await page.getByRole('button', { name: 'Save the promise' }).click()
    await expect.poll(() => page.locator('#journey-error').textContent()).toContain('Line 2')
    await expectAccessible(page, 'the refused form')
    await page.getByLabel('Promise, in your customers’ words').fill('Order online in 3 clicks')
    await page.getByLabel('Steps, one a line').fill('go to http://127.0.0.1:4100/\nclick "Shop now"\nclick "Add to cart"')
    await page.getByRole('button', { name: 'Try it now' }).click()
    await page.getByText('The promise was kept on this walk.').waitFor()
    await expectAccessible(page, 'the try result')
    // A channel form refused.
    await page.goto(`${base}/channels?type=webhook`)
    await page.getByRole('button', { name: /Add the Webhook channel/ }).click()
    await page.locator('#ch-url-error').filter({ hasText: /.+/ }).waitFor()
    await expectAccessible(page, 'the refused channel form')
    // A new token, shown once.
    await page.goto(`${base}/users`)
    await page.getByLabel('Name', { exact: true }).fill('ci')
    await page.getByRole('button', { name: 'Create the token' }).click()
    await page.getByText('Copy it now').waitFor()
    await expectAccessible(page, 'a new token')
    await context.close()
  })

  it('has no serious or critical axe violation on the login, refusal and viewer pages', async () => {
    const anonymous = await browser.newContext({ viewport: VIEWPORT })
    const page = await anonymous.newPage()
    await page.goto(`${base}/`)
    expect(new URL(page.url()).pathname).toBe('/login')
    await expectAccessible(page, 'login')
    await page.getByLabel('Email').fill('nobody@example.com')
    await page.getByLabel('Password').fill('wrong-password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('do not match').waitFor()
    await expectAccessible(page, 'login refused')
    await anonymous.close()

    const viewer = await signedIn(who.viewer)
    const vpage = await viewer.newPage()
    for (const url of ['/', `/promises/${seeded.checkout.id}`, '/breaks']) {
      await vpage.goto(base + url)
      await expectAccessible(vpage, `viewer ${url}`)
    }
    const refused = await vpage.goto(`${base}/promises/new`)
    expect(refused?.status()).toBe(403)
    await expectAccessible(vpage, 'the 403 page')
    await viewer.close()
  })

  it('suggests budgets from the wording as it is typed, never over a number the owner typed', async () => {
    const context = await signedIn(who.marketing)
    const page = await context.newPage()
    await page.goto(`${base}/promises/${seeded.order.id}/edit`)
    const clicks = page.locator('#budget-maxClicks')
    const seconds = page.locator('#budget-maxSeconds')
    expect([await clicks.inputValue(), await seconds.inputValue()]).toEqual(['3', '60'])
    // Editing the journey leaves the budgets alone.
    await page.locator('#journey').fill('go to http://127.0.0.1:4100/\nclick "Stores"')
    await expect.poll(() => page.locator('#journey-ok').textContent()).toContain('2 steps')
    expect([await clicks.inputValue(), await seconds.inputValue()]).toEqual(['3', '60'])
    // New wording: a budget still showing the old suggestion follows it.
    await page.locator('#title').fill('Order online in 2 clicks')
    await expect.poll(() => clicks.inputValue()).toBe('2')
    expect(await seconds.inputValue()).toBe('60')
    // Typed by the owner: stays, whatever the wording says next.
    await clicks.fill('4')
    await page.locator('#title').fill('Order online in 5 clicks')
    await expect.poll(() => page.locator('#budgets-hint').textContent()).toContain('at most 5 clicks')
    expect(await clicks.inputValue()).toBe('4')
    await context.close()
  })

  it('saves the README screenshots: dashboard, promise form, promise page', async () => {
    const context = await signedIn(who.marketing)
    const page = await context.newPage()
    await page.goto(`${base}/`)
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard.png') })

    await page.goto(`${base}/promises/new`)
    await page.getByLabel('Promise, in your customers’ words').fill('Order online in 3 clicks')
    await page
      .getByLabel('Steps, one a line')
      .fill('go to http://127.0.0.1:4100/\nclick "Shop now"\nclick "Add to cart"\nclick "Place order"\nexpect "Order confirmed"')
    await expect.poll(() => page.locator('#journey-ok').textContent()).toContain('5 steps')
    await expect.poll(() => page.locator('#budget-maxClicks').inputValue()).toBe('3')
    // The journey, its live check and the suggested budgets in one view.
    await page.locator('form fieldset').first().evaluate((el) => el.scrollIntoView())
    await expect.poll(() => page.locator('#budgets-hint').textContent()).toContain('at most 3 clicks')
    await page.locator('#journey').blur()
    await page.screenshot({ path: path.join(SCREENSHOTS, 'promise-form.png') })

    await page.goto(`${base}/promises/${seeded.checkout.id}`)
    await page.screenshot({ path: path.join(SCREENSHOTS, 'promise-page.png') })
    await context.close()
  })

  it('fits a phone (360 px) and a wide window (1,440 px): no sideways scrolling, the same words', async () => {
    const pages = { dashboard: '/', 'promise-page': `/promises/${seeded.checkout.id}` }
    for (const [size, viewport] of [
      ['phone', { width: 360, height: 760 }],
      ['wide', { width: 1440, height: 900 }],
    ] as const) {
      const sized = await browser.newContext({ viewport, ...(size === 'phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) })
      const [name, value] = who.marketing.cookie.split('=') as [string, string]
      await sized.addCookies([{ name, value, url: base, httpOnly: true, sameSite: 'Lax' }])
      const page = await sized.newPage()
      for (const [label, pagePath] of Object.entries(pages)) {
        await page.goto(`${base}${pagePath}`)
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
        expect(overflow, `${label} on a ${size}: page wider than the screen by ${overflow} px`).toBeLessThanOrEqual(0)
        await page.screenshot({ path: path.join(SCREENSHOTS, `${label}-${size}.png`) })
      }
      // Each promise of the dashboard shows its state, rate and history within the screen, not behind a sideways scroll.
      await page.goto(`${base}/`)
      const firstRow = page.locator('tbody tr').first()
      for (const part of ['.badge', 'svg.chart', 'td[data-label="Kept 7 d"]']) {
        const box = await firstRow.locator(part).first().boundingBox()
        expect(box && box.x >= 0 && box.x + box.width <= viewport.width, `${part} on a ${size}: ${JSON.stringify(box)}`).toBe(true)
      }
      await sized.close()
    }
  })
})
