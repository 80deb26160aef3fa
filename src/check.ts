import type { Locator, Page } from 'playwright-core'
import type { Budgets } from './domain/budget.ts'
import type { Device } from './domain/device.ts'
import type { RunValues } from './domain/journey/run-values.ts'

// Monitoring as code: a file in checks/ exports a promise defined here.
//
//   import { definePromise } from '../src/check.ts'
//   export default definePromise({
//     title: 'Order online in 3 clicks',
//     budgets: { maxClicks: 3, maxSeconds: 30 },
//     async run({ page, step, baseUrl, perform }) {
//       await step('open the shop', () => page.goto(baseUrl))
//       await step('shop now', () => page.getByRole('link', { name: 'Shop now' }).click())
//       await step('add the cup', () => perform('click "Add to cart" in "Espresso cup"'))
//     },
//   })
//
// See docs/checks.md.

export type Schedule = { everySeconds: number } | { cron: string; timezone?: string }

/** Which element find() means, as a journey in words says it. */
export interface FindOptions {
  /** What will be done with it (default click): which kinds of element count. */
  action?: 'click' | 'fill' | 'select' | 'check' | 'hover' | 'scroll'
  /** The 2nd (1-based), or -1 for the last, of several with the name. */
  nth?: number
  /** Inside the smallest part of the page that shows this text and holds one such element. */
  within?: string
  /** The name is a data-testid, data-test, data-test-id or data-cy value. */
  testId?: boolean
}

/** The journey language's helpers, for code checks: the same values, targets and steps as a journey in words. */
export interface CheckHelpers {
  /** Values unique to this run: {{run.id}}, {{run.email}} (a new address each run), {{today}}. */
  run: RunValues
  /**
   * The element a step in words would act on: by any of its names (visible
   * text, aria-label, label, title, an image's alt, placeholder), visible
   * only, exact before partial, in every frame. Waits a few seconds for it;
   * throws when it is missing or ambiguous, saying why and how to tell.
   */
  find(name: string, options?: FindOptions): Promise<Locator>
  /** Walks one step written in the journey language (`click the 2nd "Add to cart"`): settled, failing in the page's words. */
  perform(step: string): Promise<void>
}

export interface CheckContext extends CheckHelpers {
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
  /** Where it is walked from (workers' KEPT_REGION), each with its own verdict; default the default region. */
  regions?: string[]
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
