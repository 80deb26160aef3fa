import { expect, test } from '@playwright/test'

// The same 3-click order journey as bench/lib/journey.ts, BENCH_JOURNEYS
// times, against the shop at BENCH_SHOP_URL.

const shopUrl = process.env.BENCH_SHOP_URL ?? 'http://127.0.0.1:4100'
const journeys = Number(process.env.BENCH_JOURNEYS ?? 10)

for (let i = 1; i <= journeys; i++) {
  test(`order online in 3 clicks #${i}`, async ({ page }) => {
    await page.goto(`${shopUrl}/`)
    await page.getByRole('link', { name: 'Shop now' }).click()
    await page.getByRole('button', { name: 'Add to cart' }).click()
    await page.getByRole('button', { name: 'Place order' }).click()
    await expect(page.getByText('Order confirmed').first()).toBeVisible()
  })
}
