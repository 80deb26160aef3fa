import type { Browser, BrowserContext } from 'playwright-core'

// The journey every journey benchmark walks: an order in the demo shop in
// 3 clicks, as Kept's plain-language text and as a bare Playwright script.

export function orderJourney(shopUrl: string): string {
  return [
    `go to ${shopUrl}/`,
    'click "Shop now"',
    'click "Add to cart"',
    'click "Place order"',
    'expect "Order confirmed"',
  ].join('\n')
}

export interface BareExtras {
  /** Record a Playwright trace with screenshots and snapshots, then drop it. */
  trace?: boolean
}

/**
 * The bare baseline: a fresh context of an already running browser, the
 * same three clicks by role and name, the confirmation text awaited, the
 * context closed. Returns its duration in ms.
 */
export async function walkBare(browser: Browser, shopUrl: string, extras: BareExtras = {}): Promise<number> {
  const began = performance.now()
  const context: BrowserContext = await browser.newContext()
  try {
    if (extras.trace) await context.tracing.start({ screenshots: true, snapshots: true })
    const page = await context.newPage()
    await page.goto(`${shopUrl}/`)
    await page.getByRole('link', { name: 'Shop now' }).click()
    await page.getByRole('button', { name: 'Add to cart' }).click()
    await page.getByRole('button', { name: 'Place order' }).click()
    await page.getByText('Order confirmed').first().waitFor()
    if (extras.trace) await context.tracing.stop()
  } finally {
    await context.close()
  }
  return performance.now() - began
}

/** Run `count` tasks with at most `concurrency` at once; returns each task's value in order of completion. */
export async function inLanes<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const values: T[] = []
  let next = 0
  const lane = async () => {
    while (next < count) {
      const i = next++
      values.push(await task(i))
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane))
  return values
}
