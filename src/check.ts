import type { Page } from 'playwright-core'
import type { Budgets } from './domain/budget.ts'
import type { Device } from './domain/device.ts'

// Monitoring as code: a file in checks/ exports a promise defined here.
//
//   import { definePromise } from '../src/check.ts'
//   export default definePromise({
//     title: 'Order online in 3 clicks',
//     budgets: { maxClicks: 3, maxSeconds: 30 },
//     async run({ page, step, baseUrl }) {
//       await step('open the shop', () => page.goto(baseUrl))
//       await step('shop now', () => page.getByRole('link', { name: 'Shop now' }).click())
//     },
//   })
//
// See docs/checks.md.

export type Schedule = { everySeconds: number } | { cron: string; timezone?: string }

export interface CheckContext {
  /** A fresh page in a fresh browser context; clicks on it are counted by the browser. */
  page: Page
  /** Times one step of the journey; its name is what the run's steps show. Returns what `fn` returns. */
  step<T>(name: string, fn: () => Promise<T> | T): Promise<T>
  /** The site to walk: the check's own baseUrl, else KEPT_CHECKS_BASE_URL, else the demo shop. */
  baseUrl: string
  /** The promise's secrets, by name. */
  secrets: Readonly<Record<string, string>>
}

export interface CheckDefinition {
  title: string
  description?: string
  budgets?: Budgets
  /** Default: every 300 s. */
  schedule?: Schedule
  dailyCustomers?: number
  detractorRate?: number
  device?: Device
  marketingOwner?: string
  techOwner?: string
  /** The site this check walks, when it is not KEPT_CHECKS_BASE_URL. */
  baseUrl?: string
  /** A page where the site makes this promise, read on every walk for claim drift. */
  claimUrl?: string
  /** Shown on the public status page (/status); default false. */
  public?: boolean
  /** The promise in customers' words on the status page; default its title. */
  publicTitle?: string
  /** True for checks that walk the bundled demo shop (paused when the demo is off). */
  demo?: boolean
  run(context: CheckContext): Promise<void>
}

/** Defines the promise of a code check; the default export of a checks/*.check.ts file. */
export function definePromise(definition: CheckDefinition): CheckDefinition {
  return definition
}
