import { definePromise } from '../src/check.ts'

// Find a store and its opening hours in 2 taps, on a phone.
export default definePromise({
  title: 'Find a store in 2 taps (code check)',
  description: 'From the home page to the Paris store’s opening hours, on a phone.',
  budgets: { maxClicks: 2, maxSeconds: 20 },
  schedule: { everySeconds: 600 },
  dailyCustomers: 300,
  device: 'phone',
  demo: true,
  async run({ page, step, baseUrl }) {
    await step('go to the shop', () => page.goto(`${baseUrl}/`))
    await step('tap "Stores"', () => page.getByRole('link', { name: 'Stores', exact: true }).tap())
    await step('tap "Paris"', () => page.getByRole('link', { name: 'Paris', exact: true }).tap())
    await step('expect "Open 9:00"', () => page.getByText('Open 9:00').waitFor())
  },
})
