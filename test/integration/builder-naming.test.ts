import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BuilderSessions, BuilderStateError } from '../../src/builder/sessions.ts'
import { VIEWPORT } from '../../src/builder/session.ts'
import { parseAllowedTargets } from '../../src/domain/target-policy.ts'
import { BrowserPool } from '../../src/runner/browser-pool.ts'
import { CHROMIUM_ARGS } from '../../src/runner/chromium-args.ts'

// How the journey builder names what was pointed at, on pages served on
// 127.0.0.1 in a real Chromium: the 2nd when no text tells two buttons
// apart, a test id for an icon with no name, a button in a shadow root; a
// step that fails when walked is said and not written; a link to a new tab
// is followed; a session idle too long is gone.

const CHROMIUM = process.env.KEPT_CHROMIUM_PATH ?? '/usr/bin/chromium'

const PAGES: Record<string, string> = {
  '/same': '<h1>Two of a kind</h1><div><button>Buy</button> <button>Buy</button></div><p id="said"></p><script>document.querySelectorAll("button").forEach((b, i) => b.onclick = () => said.textContent = "bought " + (i + 1))</script>',
  '/icon': '<header><a href="/same" data-testid="cart-link"><svg width="32" height="32"><circle cx="16" cy="16" r="12"/></svg></a></header>',
  '/throws': '<button id="pay">Pay</button><script>pay.onclick = () => { cesetRart() }</script>',
  '/tab': '<a href="/same" target="_blank">Open the shop</a>',
  '/csp': '<h1>Strict</h1><button>Pay now</button>',
  '/todo': '<ul><li><input type="checkbox" id="milk" style="display: none"><label for="milk">Buy milk</label></li><li><input type="checkbox" id="eggs" style="display: none"><label for="eggs">Buy eggs</label></li></ul>',
  '/select': '<label for="size">Size</label> <select id="size"><option>Small</option><option>Large</option></select><p id="chosen"></p><script>size.onchange = () => chosen.textContent = "chose " + size.value</script>',
  '/long': '<div style="height: 1500px">Top of a long page</div><button>Far below</button>',
  '/shadow': '<sign-up></sign-up><script>customElements.define("sign-up", class extends HTMLElement { connectedCallback() { this.attachShadow({ mode: "open" }).innerHTML = "<p>News weekly</p><button>Subscribe</button>" } })</script>',
}

let server: http.Server
let base: string
let builder: BuilderSessions
let browser: Browser
let look: Page

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const body = PAGES[req.url ?? '']
    // A site that forbids every script of its own and eval: the builder still reads it.
    const csp = req.url === '/csp' ? { 'content-security-policy': "default-src 'none'; script-src 'none'" } : {}
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', ...csp })
    res.end(`<!doctype html><html lang="en"><head><title>t</title></head><body>${body ?? 'not found'}</body></html>`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  builder = new BuilderSessions({
    pool: new BrowserPool({ executablePath: CHROMIUM }),
    policy: parseAllowedTargets(''),
    loadSecrets: async () => ({}),
    settings: { maxSessions: 2, idleMs: 60_000, maxMs: 120_000, stepMs: 8000 },
  })
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  look = await browser.newPage({ viewport: VIEWPORT })
}, 60_000)

afterAll(async () => {
  await builder?.closeAll()
  await browser?.close()
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
})

async function centre(path: string, locate: (page: Page) => ReturnType<Page['locator']>) {
  await look.goto(base + path)
  const box = (await locate(look).boundingBox())!
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 }
}

describe('naming what was pointed at', { timeout: 60_000 }, () => {
  it('says the 2nd when no text tells two buttons apart, and walks that one', async () => {
    const { id } = await builder.start('ana', { url: `${base}/same` })
    const at = await centre('/same', (p) => p.getByRole('button').nth(1))
    const step = await builder.act('ana', id, (s) => s.click(at.x, at.y))
    expect(step).toMatchObject({ ok: true, step: 'click the 2nd "Buy"', clicks: 1 })
    const bought = await builder.act('ana', id, (s) => s.expect({ text: 'bought 2' }))
    expect(bought).toMatchObject({ ok: true, step: 'expect "bought 2"' })
    await builder.close('ana', id)
  })

  it('names an icon with no name by its test id, and follows the link', async () => {
    const { id } = await builder.start('ana', { url: `${base}/icon` })
    const at = await centre('/icon', (p) => p.getByTestId('cart-link'))
    const step = await builder.act('ana', id, (s) => s.click(at.x, at.y))
    expect(step).toMatchObject({ ok: true, step: 'click test id "cart-link"', clicks: 1, url: `${base}/same` })
    await builder.close('ana', id)
  })

  it('finds a button in a shadow root', async () => {
    const { id } = await builder.start('ana', { url: `${base}/shadow` })
    const at = await centre('/shadow', (p) => p.getByRole('button', { name: 'Subscribe' }))
    const step = await builder.act('ana', id, (s) => s.click(at.x, at.y))
    expect(step).toMatchObject({ ok: true, step: 'click "Subscribe"', clicks: 1 })
    await builder.close('ana', id)
  })

  it('does not write a step whose walk failed, and says why in the cause’s words', async () => {
    const { id } = await builder.start('ana', { url: `${base}/throws` })
    const at = await centre('/throws', (p) => p.getByRole('button', { name: 'Pay' }))
    const step = await builder.act('ana', id, (s) => s.click(at.x, at.y))
    expect(step.ok).toBe(false)
    expect(step.step).toBeNull()
    expect(step.error).toMatch(/^click "Pay": .*the page threw: .*cesetRart is not defined/)
    await builder.close('ana', id)
  })

  it('goes on in the tab a link opens', async () => {
    const { id } = await builder.start('ana', { url: `${base}/tab` })
    const at = await centre('/tab', (p) => p.getByRole('link'))
    const step = await builder.act('ana', id, (s) => s.click(at.x, at.y))
    expect(step).toMatchObject({ ok: true, step: 'click "Open the shop"', url: `${base}/same` })
    const next = await builder.act('ana', id, (s) => s.click(at.x, at.y))
    // The new tab is the shop: what is at that point now is no link.
    expect(next.url).toBe(`${base}/same`)
    await builder.close('ana', id)
  })

  it('checks a drawn checkbox whose box is hidden, by its label', async () => {
    const { id } = await builder.start('ana', { url: `${base}/todo` })
    const at = await centre('/todo', (p) => p.getByText('Buy eggs'))
    const checked = await builder.act('ana', id, (s) => s.click(at.x, at.y))
    expect(checked).toMatchObject({ ok: true, step: 'check "Buy eggs"', clicks: 1 })
    const unchecked = await builder.act('ana', id, (s) => s.click(at.x, at.y))
    expect(unchecked).toMatchObject({ ok: true, step: 'uncheck "Buy eggs"', clicks: 1 })
    await builder.close('ana', id)
  })

  it('asks what to choose in a list, and writes select', async () => {
    const { id } = await builder.start('ana', { url: `${base}/select` })
    const at = await centre('/select', (p) => p.getByLabel('Size'))
    const asked = await builder.act('ana', id, (s) => s.click(at.x, at.y))
    expect(asked).toMatchObject({ ok: true, step: null, field: { name: 'Size', kind: 'select' }, clicks: 0 })
    const chosen = await builder.act('ana', id, (s) => s.fill(at.x, at.y, 'Large'))
    expect(chosen).toMatchObject({ ok: true, step: 'select "Large" in "Size"' })
    expect(await builder.act('ana', id, (s) => s.expect({ text: 'chose Large' }))).toMatchObject({ ok: true })
    await builder.close('ana', id)
  })

  it('scrolls the picture to what is below the fold', async () => {
    const { id } = await builder.start('ana', { url: `${base}/long` })
    const scrolled = await builder.act('ana', id, (s) => s.scroll(1000))
    expect(scrolled.screenshot).toMatch(/^data:image\/jpeg;base64,/)
    await look.goto(`${base}/long`)
    await look.evaluate(() => window.scrollTo(0, 1000))
    const box = (await look.getByRole('button').boundingBox())!
    const step = await builder.act('ana', id, (s) => s.click(box.x + box.width / 2, box.y + box.height / 2))
    expect(step).toMatchObject({ ok: true, step: 'click "Far below"', clicks: 1 })
    await builder.close('ana', id)
  })

  it('reads a page whose content security policy forbids every script', async () => {
    const { id } = await builder.start('ana', { url: `${base}/csp` })
    const at = await centre('/csp', (p) => p.getByRole('button'))
    const step = await builder.act('ana', id, (s) => s.click(at.x, at.y))
    expect(step).toMatchObject({ ok: true, step: 'click "Pay now"', clicks: 1 })
    await builder.close('ana', id)
  })

  it('walks the steps written so far, and goes on where they end', async () => {
    const { id, step, totalClicks } = await builder.start('ana', { journey: `go to ${base}/same\nclick the 2nd "Buy"` })
    expect(step).toBe(`go to ${base}/same\nclick the 2nd "Buy"`)
    expect(totalClicks).toBe(1)
    const bought = await builder.act('ana', id, (s) => s.expect({ text: 'bought 2' }))
    expect(bought).toMatchObject({ ok: true, step: 'expect "bought 2"' })
    await builder.close('ana', id)
    // Steps that no longer work: said with their line, and no session is left open.
    const failed = await builder.start('ana', { journey: `go to ${base}/same\nclick "Sell"` }).catch((error: Error) => error)
    expect((failed as Error).message).toMatch(/^line 2, click "Sell": no button or link "Sell"/)
    expect(builder.open).toBe(0)
  })

  it('says so when the browser cannot start, and leaves no session counted', async () => {
    const broken = new BuilderSessions({
      pool: new BrowserPool({ executablePath: '/nonexistent/chromium' }),
      policy: parseAllowedTargets(''),
      loadSecrets: async () => ({}),
      settings: { maxSessions: 1, idleMs: 60_000, maxMs: 60_000, stepMs: 8000 },
    })
    const error = await broken.start('ana', { url: `${base}/same` }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BuilderStateError)
    expect((error as BuilderStateError).status).toBe(503)
    expect((error as Error).message).toMatch(/^the journey builder's browser did not start: cannot launch Chromium at \/nonexistent\/chromium/)
    expect(broken.open).toBe(0)
    await broken.closeAll()
  })

  it('ends a session idle too long: its next action is told it is gone', async () => {
    const short = new BuilderSessions({
      pool: new BrowserPool({ executablePath: CHROMIUM }),
      policy: parseAllowedTargets(''),
      loadSecrets: async () => ({}),
      settings: { maxSessions: 1, idleMs: 1000, maxMs: 60_000, stepMs: 8000 },
    })
    try {
      const { id } = await short.start('ana', { url: `${base}/same` })
      expect(short.open).toBe(1)
      await new Promise((resolve) => setTimeout(resolve, 1600))
      expect(short.open).toBe(0)
      const gone = await short.act('ana', id, (s) => s.look()).catch((error: unknown) => error)
      expect(gone).toBeInstanceOf(BuilderStateError)
      expect((gone as BuilderStateError).status).toBe(404)
    } finally {
      await short.closeAll()
    }
  })
})
