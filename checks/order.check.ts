import { definePromise } from '../src/check.ts'

// The demo shop's headline promise, as code: an order takes 3 clicks.
export default definePromise({
  title: 'Order online in 3 clicks (code check)',
  description: 'From the home page to a confirmed order: Shop now, Add to cart, Place order.',
  budgets: { maxClicks: 3, maxSeconds: 30, maxStepSeconds: 10 },
  schedule: { everySeconds: 300 },
  dailyCustomers: 1200,
  detractorRate: 0.25,
  device: 'desktop',
  demo: true,
  async run({ page, step, baseUrl }) {
    await step('go to the shop', () => page.goto(`${baseUrl}/`))
    await step('click "Shop now"', () => page.getByRole('link', { name: 'Shop now', exact: true }).click())
    await step('click "Add to cart"', () => page.getByRole('button', { name: 'Add to cart', exact: true }).click())
    await step('click "Place order"', () => page.getByRole('button', { name: 'Place order', exact: true }).click())
    await step('expect "Order confirmed"', () => page.getByRole('heading', { name: 'Order confirmed' }).waitFor())
  },
})
