import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { computeDigest, type DigestPromiseInput, type RunCounts } from '../../src/domain/digest.ts'
import { renderDigest } from '../../src/digest/render.ts'
import { resolveChromium } from '../../src/runner/browser-path.ts'
import { CHROMIUM_ARGS } from '../../src/runner/chromium-args.ts'

// The digest email in a real Chromium, as a mail client's web view shows
// it: no script, 600 px wide (and a phone's 375 px), with the nastiest
// content we can think of. Screenshots land in test-results/.

const at = (iso: string) => new Date(iso)
const counts = (kept: number, atRisk: number, broken: number, p95Ms: number | null = 3000): RunCounts => ({
  runs: kept + atRisk + broken,
  kept,
  atRisk,
  broken,
  errors: 0,
  p95Ms,
})

function promise(id: string, title: string, overrides: Partial<DigestPromiseInput> = {}): DigestPromiseInput {
  return {
    id,
    title,
    dailyCustomers: 1200,
    detractorRate: 0.25,
    marketingOwner: 'ana@example.com',
    techOwner: 'tom@example.com',
    paused: false,
    maxSeconds: 10,
    breaks: [],
    runs: counts(100, 0, 0),
    previousRuns: counts(100, 0, 0),
    ...overrides,
  }
}

const figures = computeDigest({
  week: '2026-W47',
  timezone: 'UTC',
  now: at('2026-11-23T08:00:00Z'),
  maintenance: [],
  promises: [
    promise('p1', 'Order online in 3 clicks <script>alert("x")</script><img src=x onerror=alert(1)>', {
      breaks: [{ openedAt: at('2026-11-17T10:00:00Z'), resolvedAt: at('2026-11-17T13:12:00Z') }],
      runs: counts(72, 3, 25),
    }),
    promise('p2', 'Checkout_in_under_a_minute_even_on_a_slow_phone_network_with_a_very_long_unbroken_title_that_never_ends', {
      marketingOwner: 'a.very.long.marketing.owner.address.that.never.breaks@marketing-department.example.com',
      breaks: [{ openedAt: at('2026-11-19T08:00:00Z'), resolvedAt: at('2026-11-19T08:45:00Z') }],
      runs: counts(95, 0, 5),
      previousRuns: counts(90, 0, 10),
    }),
    promise('p3', 'Find a store in 2 taps', { runs: counts(97, 3, 0, 9100) }),
    promise('p4', 'Track my parcel', { techOwner: null, marketingOwner: null, runs: counts(0, 0, 0, null) }),
    promise('p5', 'Book a repair in under 2 minutes', { paused: true, breaks: [{ openedAt: at('2026-11-20T00:00:00Z'), resolvedAt: at('2026-11-20T00:30:00Z') }] }),
  ],
})
const email = renderDigest(figures, {
  baseUrl: 'https://kept.example.com',
  unsubscribe: { url: 'https://kept.example.com/digests/unsubscribe?u=00000000-0000-4000-8000-000000000000&sig=abc' },
})

describe('the digest email in Chromium', () => {
  let browser: Browser

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: resolveChromium(process.env)?.path, args: CHROMIUM_ARGS })
    await mkdir('test-results', { recursive: true })
  })
  afterAll(async () => {
    await browser?.close()
  })

  for (const width of [600, 375]) {
    it(`lays out without horizontal overflow at ${width} px`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: false })
      try {
        const page = await context.newPage()
        await page.setContent(email.html, { waitUntil: 'load' })
        // Nothing of the user text became markup.
        expect(await page.locator('script, img, iframe').count()).toBe(0)
        await expect.poll(() => page.getByText('<script>alert("x")</script>', { exact: false }).count()).toBe(1)

        const layout = await page.evaluate(() => {
          const right = Math.max(...[...document.querySelectorAll('body *')].map((el) => el.getBoundingClientRect().right))
          return { scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth, right }
        })
        expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth)
        expect(layout.right).toBeLessThanOrEqual(width)

        // Worst first, each linking to its promise page.
        const links = await page.locator('a[href^="https://kept.example.com/promises/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')))
        expect(links.slice(0, 4)).toEqual([
          'https://kept.example.com/promises/p1',
          'https://kept.example.com/promises/p2',
          'https://kept.example.com/promises/p5',
          'https://kept.example.com/promises/p3',
        ])

        // The kept-rate bar of p1 (75%): green over three quarters of its width.
        const bar = await page.evaluate(() => {
          const cells = [...document.querySelectorAll('td')].filter((td) => td.style.height === '8px')
          const first = cells[0]!
          const row = first.parentElement!.getBoundingClientRect().width
          return { green: first.getBoundingClientRect().width / row, color: getComputedStyle(first).backgroundColor, cells: cells.length }
        })
        expect(bar.green).toBeGreaterThan(0.72)
        expect(bar.green).toBeLessThan(0.78)
        expect(bar.color).toBe('rgb(30, 142, 78)')

        await page.screenshot({ path: path.join('test-results', `digest-email-${width}.png`), fullPage: true })
      } finally {
        await context.close()
      }
    })
  }
})
