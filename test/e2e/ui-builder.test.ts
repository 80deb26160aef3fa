import { mkdir } from 'node:fs/promises'
import { AxeBuilder } from '@axe-core/playwright'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ControlPlane } from '../../src/app/control-plane.ts'
import { VIEWPORT } from '../../src/builder/session.ts'
import { startBuilderShop, type BuilderShop } from '../fixtures/builder-shop.ts'
import { keptInBrowser, SCREENSHOTS } from './kept-in-browser.ts'
import { PASSWORD } from './ui-fixtures.ts'

// "Build by clicking" as the marketing owner meets it, in a real browser:
// on the promise form she opens the shop in Kept's own Chromium, clicks on
// its picture (the second of two identical "Add to cart" buttons, the cart,
// the email field, "Place order"), checks a text, and saves; the steps the
// builder wrote are walked by a real worker and the promise is kept in 3
// clicks.

const e2e = keptInBrowser('builder', [
  { email: 'ana@example.com', role: 'marketing' },
  { email: 'tom@example.com', role: 'tech' },
])
let shop: BuilderShop
let kept: ControlPlane
let browser: Browser

beforeAll(async () => {
  ;({ kept, browser } = e2e)
  shop = await startBuilderShop()
})

afterAll(async () => {
  await shop?.close()
})

describe('building a journey by pointing', { timeout: 240_000 }, () => {
  it('a marketing owner builds a 3-click journey on the picture, saves it, and it is kept in 3 clicks', async () => {
    // Where things are on the shop's pages, at the size of the builder's browser.
    const look = await browser.newPage({ viewport: VIEWPORT })
    const spot = async (url: string, find: (p: Page) => ReturnType<Page['locator']>) => {
      if (look.url() !== url) await look.goto(url)
      const box = (await find(look).boundingBox())!
      return { x: box.x + box.width / 2, y: box.y + box.height / 2 }
    }

    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
    const page = await context.newPage()
    await page.goto(`${kept.url}/`)
    await page.getByLabel('Email').fill('ana@example.com')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: /^(New promise|Register your first promise)$/ }).first().click()
    await page.getByLabel('Promise, in your customers’ words').fill('Order a latte mug online in 3 clicks')
    const steps = page.getByLabel('Steps, one a line')
    const picture = page.locator('#builder-picture')
    const status = page.locator('#builder-status')

    // Kept's own address is one of its services: refused before any browser goes there.
    await page.getByLabel('First page').fill(`${kept.url}/`)
    await page.locator('#builder-open').click()
    await expect.poll(() => page.locator('#builder-address-error').textContent()).toMatch(/^blocked: .*Kept's own service/)
    expect(await steps.inputValue()).toBe('')

    await page.getByLabel('First page').fill(`${shop.url}/`)
    await page.locator('#builder-open').click()
    await expect.poll(() => steps.inputValue(), { timeout: 60_000 }).toBe(`go to ${shop.url}/`)
    await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(VIEWPORT.width)

    /** Clicks the picture where `at` is on the shop's page; waits for the builder's answer. */
    const pointAt = async (at: { x: number; y: number }) => {
      const box = (await picture.boundingBox())!
      const before = await status.textContent()
      await picture.click({ position: { x: (at.x * box.width) / VIEWPORT.width, y: (at.y * box.height) / VIEWPORT.height } })
      await expect.poll(() => status.textContent(), { timeout: 30_000 }).not.toBe(before)
      await expect.poll(() => page.locator('#builder-screen').getAttribute('aria-busy'), { timeout: 30_000 }).toBe('false')
    }
    const lastLine = async () => (await steps.inputValue()).split('\n').at(-1)

    // The second of two "Add to cart": the step says which card.
    await pointAt(await spot(`${shop.url}/`, (p) => p.getByRole('button', { name: 'Add to cart' }).nth(1)))
    expect(await lastLine()).toBe('click "Add to cart" in "Latte mug"')
    expect(await status.textContent()).toBe('Added and tried: click "Add to cart" in "Latte mug" (1 click).')
    await expect.poll(() => page.locator('#journey-ok').textContent()).toBe('Looks good: 2 steps.')
    await mkdir(SCREENSHOTS, { recursive: true })
    await page.locator('fieldset', { has: page.locator('#builder') }).screenshot({ path: path.join(SCREENSHOTS, 'journey-builder.png') })
    // The live builder is as accessible as the rest of the form.
    const axe = await new AxeBuilder({ page }).include('#builder').analyze()
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([])
    await pointAt(await spot(`${shop.url}/`, (p) => p.locator('#cart')))
    expect(await lastLine()).toBe('click "Cart (1)"')
    await expect.poll(() => page.locator('#builder-url').textContent()).toBe(`${shop.url}/cart`)

    // A click on a field asks what to type; Enter types it, never saves the promise.
    await pointAt(await spot(`${shop.url}/cart`, (p) => p.getByLabel('Email')))
    await page.getByLabel('What to type into “Email”').fill('ana@example.com')
    await page.getByLabel('What to type into “Email”').press('Enter')
    await expect.poll(() => lastLine()).toBe('fill "Email" with "ana@example.com"')
    await pointAt(await spot(`${shop.url}/cart`, (p) => p.getByRole('button', { name: 'Place order' })))
    expect(await lastLine()).toBe('click "Place order"')
    expect(shop.orders).toEqual(['ana@example.com'])
    await expect.poll(() => page.locator('#builder-clicks').textContent()).toBe('3 clicks so far')

    // "Checks this text": a click on the heading expects it.
    await page.getByLabel('checks this text is shown').check()
    await look.goto(`${shop.url}/cart`)
    await look.getByLabel('Email').fill('x@example.com')
    await look.getByRole('button', { name: 'Place order' }).click()
    await pointAt(await spot(look.url(), (p) => p.getByRole('heading', { name: 'Order confirmed' })))
    expect(await lastLine()).toBe('expect "Order confirmed"')

    const written = [`go to ${shop.url}/`, 'click "Add to cart" in "Latte mug"', 'click "Cart (1)"', 'fill "Email" with "ana@example.com"', 'click "Place order"', 'expect "Order confirmed"']
    expect(await steps.inputValue()).toBe(written.join('\n'))
    await expect.poll(() => page.locator('#journey-ok').textContent()).toBe('Looks good: 6 steps.')

    await page.getByRole('button', { name: 'Done' }).click()
    await expect.poll(() => page.locator('#builder-live').isHidden()).toBe(true)
    await page.getByLabel('Every (seconds)').fill('3600')
    await page.getByLabel('Tech owner (email)').fill('tom@example.com')
    await page.getByRole('button', { name: 'Save the promise' }).click()
    await page.getByRole('heading', { name: 'Order a latte mug online in 3 clicks', level: 1 }).waitFor()

    // Walked by a real worker: the journey the builder wrote keeps the promise, in 3 clicks.
    const verdict = page.locator('#latest-verdict .verdict-sentence')
    await verdict.waitFor({ timeout: 120_000 })
    expect(await verdict.textContent()).toMatch(/^Kept: 3 of 3 clicks allowed/)
    expect(shop.orders).toHaveLength(3)
    await context.close()
    await look.close()
  })
})
