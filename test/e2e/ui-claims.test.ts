import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { AxeBuilder } from '@axe-core/playwright'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startClaimsSite, type ClaimsSite } from '../fixtures/claims-site.ts'
import { keptInBrowser, SCREENSHOTS } from './kept-in-browser.ts'
import { PASSWORD } from './ui-fixtures.ts'

// "Find the promises my site makes" as a CMO meets it: on the promise
// form, the site's address, the claims Kept read from its pages (a journey
// worker's real browser, through Redis), and one click that fills in the
// form. KEPT_README_SCREENSHOTS=1 refreshes docs/screenshots/claim-finder.png.

const e2e = keptInBrowser('ui-claims', [{ email: 'ana@example.com', role: 'marketing' }])
let site: ClaimsSite

beforeAll(async () => {
  site = await startClaimsSite()
})

afterAll(async () => {
  await site?.close()
})

describe('finding the promises a site makes, from the promise form', { timeout: 180_000 }, () => {
  it('lists the claims of the site with their pages, and one click fills in the form', async () => {
    const context = await e2e.browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${e2e.kept.url}/login?next=%2Fpromises%2Fnew`)
    await page.getByLabel('Email').fill('ana@example.com')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Register a promise', level: 1 }).waitFor()

    const finder = page.locator('#claim-finder')
    await finder.getByText('Find the promises my site makes').click()
    // A wrong address is said under its field, by the API's own words.
    await finder.getByLabel('Your site’s address').fill('ftp://shop.example.com/')
    await finder.getByRole('button', { name: 'Find the promises' }).click()
    await expect.poll(() => finder.locator('#claim-site-error').textContent()).toBe('expected an http or https address, not ftp:')
    expect(await finder.getByLabel('Your site’s address').getAttribute('aria-invalid')).toBe('true')

    await finder.getByLabel('Your site’s address').fill(`${site.url}/`)
    await finder.getByLabel('Pages to read').fill('5')
    await finder.getByRole('button', { name: 'Find the promises' }).click()
    await expect.poll(() => finder.locator('#claim-status').textContent(), { timeout: 120_000 }).toMatch(/promises? found on \d pages read/)
    expect(await finder.locator('#claim-site-error').textContent()).toBe('')
    const items = finder.locator('#claim-results li')
    await expect.poll(() => items.count()).toBe(4)
    expect(await items.first().textContent()).toContain('3 clicks “Order online in 3 clicks.”')
    expect(await items.first().locator('a').getAttribute('href')).toBe(`${site.url}/`)
    expect(await items.nth(1).textContent()).toContain('and 1 more page')
    // Copy a script rendered after load is found too.
    expect(await finder.locator('#claim-results').textContent()).toContain('Upgrade your plan in 2 taps.')
    await finder.locator('#claim-skipped summary').click()
    expect(await finder.locator('#claim-skipped').textContent()).toContain('robots.txt disallows it')

    const axe = await new AxeBuilder({ page }).include('#claim-finder').analyze()
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([])

    await mkdir(SCREENSHOTS, { recursive: true })
    await page.locator('h1').scrollIntoViewIfNeeded()
    await page.screenshot({ path: path.join(SCREENSHOTS, 'claim-finder.png'), clip: { x: 0, y: 0, width: 1280, height: 900 } })

    await items.first().getByRole('button', { name: /^Use this promise/ }).click()
    expect(await page.getByLabel('Promise, in your customers’ words').inputValue()).toBe('Order online in 3 clicks')
    expect(await page.locator('#budget-maxClicks').inputValue()).toBe('3')
    expect(await page.locator('#budget-maxSeconds').inputValue()).toBe('')
    expect(await page.getByLabel('Steps, one a line').inputValue()).toBe(`go to ${site.url}/`)
    // The form's own live validation follows, as if the owner had typed it.
    await expect.poll(() => page.locator('#journey-ok').textContent()).toContain('1 step')

    // Another claim replaces the title and budgets; the steps written stay.
    await items.nth(1).getByRole('button', { name: /^Use this promise/ }).click()
    expect(await page.getByLabel('Promise, in your customers’ words').inputValue()).toBe('Checkout in under a minute, guaranteed')
    expect(await page.locator('#budget-maxClicks').inputValue()).toBe('')
    expect(await page.locator('#budget-maxSeconds').inputValue()).toBe('60')
    expect(await page.getByLabel('Steps, one a line').inputValue()).toBe(`go to ${site.url}/`)
    await context.close()
  })
})
