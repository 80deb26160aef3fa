import { randomUUID } from 'node:crypto'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BuilderSessions } from '../../src/builder/sessions.ts'
import { VIEWPORT } from '../../src/builder/session.ts'
import { parseAllowedTargets } from '../../src/domain/target-policy.ts'
import { BrowserPool } from '../../src/runner/browser-pool.ts'
import { CHROMIUM_ARGS } from '../../src/runner/chromium-args.ts'
import { startBuilderShop, type BuilderShop } from '../fixtures/builder-shop.ts'
import { apiHarness, type Harness } from './api-fixtures.ts'

// The journey builder's routes through app.request(), with a real Chromium
// behind them on a shop served on 127.0.0.1: what bad input is told, and
// that a step written by pointing names exactly the element pointed at.

const CHROMIUM = process.env.KEPT_CHROMIUM_PATH ?? '/usr/bin/chromium'

let h: Harness
let shop: BuilderShop
let builder: BuilderSessions
let browser: Browser
let look: Page

beforeAll(async () => {
  shop = await startBuilderShop()
  builder = new BuilderSessions({
    pool: new BrowserPool({ executablePath: CHROMIUM }),
    // The shop is on 127.0.0.1: loopback is allowed (private ranges are not).
    policy: parseAllowedTargets(''),
    loadSecrets: async () => ({ SHOP_EMAIL: 'ana.secret@example.com' }),
    settings: { maxSessions: 1, idleMs: 60_000, maxMs: 120_000, stepMs: 10_000 },
  })
  h = await apiHarness({ builder })
  // The same page at the same size, to know where things are on the picture.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  look = await browser.newPage({ viewport: VIEWPORT })
}, 60_000)

afterAll(async () => {
  await builder?.closeAll()
  await browser?.close()
  await shop?.close()
  await h?.close()
})

async function centre(url: string, locate: (page: Page) => ReturnType<Page['locator']>) {
  if (look.url() !== url) await look.goto(url)
  const box = (await locate(look).boundingBox())!
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 }
}

describe('the journey builder routes', { timeout: 60_000 }, () => {
  it('refuses an address that is not http(s), naming the field', async () => {
    const res = await h.call('POST', '/api/v1/builder/sessions', { body: { url: 'ftp://shop.example.com/' }, as: 'marketing' })
    expect(res.status).toBe(422)
    const body = await res.json()
    expect(body.errors).toEqual([{ path: 'url', message: 'expected an http or https address, not ftp:' }])
    expect(builder.open).toBe(0)
  })

  it('refuses a private address the target policy blocks, before any browser goes there', async () => {
    const res = await h.call('POST', '/api/v1/builder/sessions', { body: { url: 'http://192.168.1.10/admin' }, as: 'marketing' })
    expect(res.status).toBe(422)
    const body = await res.json()
    expect(body.errors[0].path).toBe('url')
    expect(body.errors[0].message).toMatch(/^blocked: .*private/)
    // The metadata address too, whatever is allowed.
    const metadata = await h.call('POST', '/api/v1/builder/sessions', { body: { url: 'http://169.254.169.254/latest/' }, as: 'marketing' })
    expect(metadata.status).toBe(422)
    expect(builder.open).toBe(0)
  })

  it('refuses a journey that does not start with go to, and one that does not parse, with its line', async () => {
    const noGoTo = await h.call('POST', '/api/v1/builder/sessions', { body: { journey: 'click "Shop now"' }, as: 'marketing' })
    expect(noGoTo.status).toBe(422)
    expect((await noGoTo.json()).errors[0]).toMatchObject({ path: 'journey', message: expect.stringMatching(/^line 1, column 1: expected the journey to start with go to/) })
    const bad = await h.call('POST', '/api/v1/builder/sessions', { body: { journey: `go to ${shop.url}/\nclick the 0th "Add to cart"` }, as: 'marketing' })
    expect(bad.status).toBe(422)
    expect((await bad.json()).errors[0].message).toMatch(/^line 2, column \d+: /)
  })

  it('answers 404 for a session that does not exist, and 403 to a viewer', async () => {
    const res = await h.call('POST', `/api/v1/builder/sessions/${randomUUID()}/click`, { body: { x: 10, y: 10 }, as: 'marketing' })
    expect(res.status).toBe(404)
    expect((await res.json()).detail).toMatch(/^no builder session /)
    const viewer = await h.call('POST', '/api/v1/builder/sessions', { body: { url: `${shop.url}/` }, as: 'viewer' })
    expect(viewer.status).toBe(403)
  })

  it('names the field of a point out of the picture', async () => {
    const res = await h.call('POST', `/api/v1/builder/sessions/${randomUUID()}/click`, { body: { x: -4, y: 10 }, as: 'marketing' })
    expect(res.status).toBe(422)
    expect((await res.json()).errors[0].path).toBe('x')
  })

  it('writes and walks the steps pointed at; a second session is too many; Done closes it', async () => {
    const opened = await h.call('POST', '/api/v1/builder/sessions', { body: { url: `${shop.url}/` }, as: 'marketing' })
    expect(opened.status).toBe(201)
    const session = await opened.json()
    expect(session.step).toBe(`go to ${shop.url}/`)
    expect(session.screenshot).toMatch(/^data:image\/jpeg;base64,/)

    const again = await h.call('POST', '/api/v1/builder/sessions', { body: { url: `${shop.url}/` }, as: 'admin' })
    expect(again.status).toBe(429)
    expect((await again.json()).detail).toMatch(/^1 builder session is open, the most at once \(KEPT_BUILDER_SESSIONS\)/)

    // Someone else's session is no one's to drive.
    const stranger = await h.call('POST', `/api/v1/builder/sessions/${session.id}/click`, { body: { x: 10, y: 10 }, as: 'admin' })
    expect(stranger.status).toBe(404)

    const act = async (what: string, body: unknown) => {
      const res = await h.call('POST', `/api/v1/builder/sessions/${session.id}/${what}`, { body, as: 'marketing' })
      expect(res.status).toBe(200)
      return res.json()
    }
    // The second of two identical buttons: told apart by its card.
    const latte = await act('click', await centre(`${shop.url}/`, (p) => p.getByRole('button', { name: 'Add to cart' }).nth(1)))
    expect(latte).toMatchObject({ ok: true, step: 'click "Add to cart" in "Latte mug"', clicks: 1, totalClicks: 1 })
    // Plain text is no button: nothing is written.
    const nothing = await act('click', { x: 1200, y: 700 })
    expect(nothing.ok).toBe(false)
    expect(nothing.step).toBeNull()
    expect(nothing.error).toMatch(/nothing there to click/)
    const cart = await act('click', await centre(`${shop.url}/`, (p) => p.locator('#cart')))
    expect(cart).toMatchObject({ ok: true, step: 'click "Cart (1)"', clicks: 1, totalClicks: 2 })
    expect(cart.url).toBe(`${shop.url}/cart`)

    // A click on a field asks what to type; the typed secret is written as its name.
    const email = await centre(`${shop.url}/cart`, (p) => p.getByLabel('Email'))
    const field = await act('click', email)
    expect(field).toMatchObject({ ok: true, step: null, field: { name: 'Email', kind: 'fill' }, clicks: 0 })
    const filled = await act('fill', { ...email, value: 'ana.secret@example.com' })
    expect(filled).toMatchObject({ ok: true, step: 'fill "Email" with "{{secrets.SHOP_EMAIL}}"', clicks: 0 })
    const box = await act('click', await centre(`${shop.url}/cart`, (p) => p.getByRole('checkbox')))
    expect(box).toMatchObject({ ok: true, step: 'check "Send me the newsletter"', clicks: 1 })
    const order = await act('click', await centre(`${shop.url}/cart`, (p) => p.getByRole('button', { name: 'Place order' })))
    expect(order).toMatchObject({ ok: true, step: 'click "Place order"', clicks: 1, totalClicks: 4 })
    expect(shop.orders).toEqual(['ana.secret@example.com'])
    // The receipt quotes the secret: the step names it instead, and the walk fills it in.
    await look.goto(`${shop.url}/cart`)
    await look.getByLabel('Email').fill('ana.secret@example.com')
    await look.getByRole('button', { name: 'Place order' }).click()
    const receiptAt = await centre(look.url(), (p) => p.locator('main p'))
    const receipt = await act('expect', receiptAt)
    expect(receipt.ok).toBe(true)
    // The picture paints over the text that shows the secret, as a walk's screenshot does.
    const receiptBox = (await look.locator('main p').boundingBox())!
    const pixels = await look.evaluate(
      async ({ src, points }) => {
        const img = new Image()
        img.src = src
        await img.decode()
        const canvas = document.createElement('canvas')
        canvas.width = img.naturalWidth
        canvas.height = img.naturalHeight
        const g = canvas.getContext('2d')!
        g.drawImage(img, 0, 0)
        return points.map(([x, y]) => [...g.getImageData(x!, y!, 1, 1).data].slice(0, 3))
      },
      { src: receipt.screenshot as string, points: [0.02, 0.2, 0.5, 0.8].map((f) => [Math.round(receiptBox.x + receiptBox.width * f), Math.round(receiptAt.y)]) },
    )
    // #5f6b7a, give or take the JPEG's rounding.
    for (const [r, g, b] of pixels) expect(Math.abs(r! - 0x5f) + Math.abs(g! - 0x6b) + Math.abs(b! - 0x7a)).toBeLessThan(30)
    expect(receipt.step).toBe('expect "A receipt is on its way to {{secrets.SHOP_EMAIL}}."')
    expect(JSON.stringify(receipt)).not.toContain('ana.secret')
    const heading = await act('expect', { text: 'Order confirmed' })
    expect(heading).toMatchObject({ ok: true, step: 'expect "Order confirmed"' })
    const blank = await act('expect', { x: 1200, y: 700 })
    expect(blank).toMatchObject({ ok: false, step: null, error: 'no text there' })
    const wrong = await act('expect', { text: 'Payment failed' })
    expect(wrong).toMatchObject({ ok: false, step: null })
    expect(wrong.error).toMatch(/^expect "Payment failed": expected "Payment failed" on /)

    expect((await h.call('DELETE', `/api/v1/builder/sessions/${session.id}`, { as: 'marketing' })).status).toBe(204)
    expect(builder.open).toBe(0)
    expect((await h.call('GET', `/api/v1/builder/sessions/${session.id}`, { as: 'marketing' })).status).toBe(404)
  })
})
