import type { Page } from 'playwright-core'
import type { Step } from '../domain/journey/ast.ts'
import { fillSecrets } from '../domain/journey/secrets.ts'
import { sleep, StepFailure } from './step-failure.ts'
import { findTarget } from './targets.ts'

/**
 * Once the page has loaded, how long a step still waits for its target or
 * its text to appear (content drawn by scripts). `wait for` waits up to
 * the step's time limit instead.
 */
export const SETTLE_GRACE_MS = 3000

export interface StepContext {
  page: Page
  /** Tap instead of click (phone). */
  touch: boolean
  /** Epoch ms by which the step must be done. */
  deadline: number
  secrets: Readonly<Record<string, string>>
  /** The HTTP status of the main frame's current document, when known. */
  documentStatus(): number | null
}

/** Performs one step of a plain-language journey; throws StepFailure when the site does not do what the step expects. */
export async function performStep(step: Step, ctx: StepContext): Promise<void> {
  const { page, deadline } = ctx
  const remaining = () => Math.max(1, deadline - Date.now())
  /**
   * The step's deadline, shortened to SETTLE_GRACE_MS after the page's
   * load; on an error page (HTTP 400 and above) nothing more will come,
   * so the step looks once.
   */
  const settled = async () => {
    await page.waitForLoadState('load', { timeout: remaining() })
    const grace = (ctx.documentStatus() ?? 200) >= 400 ? 0 : SETTLE_GRACE_MS
    return Math.min(deadline, Date.now() + grace)
  }
  const value = (text: string) => {
    try {
      return fillSecrets(text, ctx.secrets)
    } catch (error) {
      throw new StepFailure((error as Error).message)
    }
  }
  switch (step.kind) {
    case 'goto': {
      const response = await page.goto(value(step.url), { waitUntil: 'load', timeout: remaining() })
      if (response && response.status() >= 400) {
        throw new StepFailure(`${page.url()} answered HTTP ${response.status()}`)
      }
      return
    }
    case 'click': {
      const target = await findTarget(page, 'click', value(step.target), await settled())
      // A link or form aimed at another tab: the journey goes on there, so
      // the step ends once that tab exists (run-journey switches to it).
      const opensTab = (await target.locator(OPENS_TAB).count().catch(() => 0)) > 0
      const tab = opensTab ? page.waitForEvent('popup', { timeout: remaining() }) : null
      tab?.catch(() => {}) // awaited below unless the click itself fails
      if (ctx.touch) await target.tap({ timeout: remaining() })
      else await target.click({ timeout: remaining() })
      if (tab) await tab
      else await settle(page, remaining())
      return
    }
    case 'fill': {
      const target = await findTarget(page, 'fill', value(step.target), await settled())
      await target.fill(value(step.value), { timeout: remaining() })
      return
    }
    case 'select': {
      const target = await findTarget(page, 'select', value(step.target), await settled())
      const option = value(step.option)
      const chosen = await target.selectOption({ label: option }, { timeout: remaining() }).catch(() => null)
      if (!chosen) await target.selectOption(option, { timeout: remaining() })
      await settle(page, remaining())
      return
    }
    case 'check':
    case 'uncheck': {
      const target = await findTarget(page, 'check', value(step.target), await settled())
      const wanted = step.kind === 'check'
      if ((await target.isChecked()) !== wanted) {
        if (ctx.touch) await target.tap({ timeout: remaining() })
        else await target.click({ timeout: remaining() })
      }
      if ((await target.isChecked()) !== wanted) {
        throw new StepFailure(`"${step.target}" did not become ${wanted ? 'checked' : 'unchecked'} on ${page.url()}`)
      }
      return
    }
    case 'press': {
      await page.keyboard.press(step.key)
      await settle(page, remaining())
      return
    }
    case 'expectText':
    case 'waitFor': {
      const expected = value(step.expected)
      const until = step.kind === 'waitFor' ? deadline : await settled()
      const shown = await page
        .getByText(expected)
        .filter({ visible: true })
        .first()
        .waitFor({ state: 'visible', timeout: Math.max(1, until - Date.now()) })
        .then(() => true)
        .catch(() => false)
      if (!shown) {
        const status = ctx.documentStatus()
        const answered = status !== null && status >= 400 ? `the page answered HTTP ${status} and ` : 'the page '
        throw new StepFailure(`expected "${expected}" on ${page.url()}; ${answered}${await whatThePageSays(page)}`)
      }
      return
    }
    case 'expectUrl': {
      const expected = value(step.contains)
      const until = await settled()
      while (!page.url().includes(expected)) {
        if (Date.now() >= until) throw new StepFailure(`expected the address to contain "${expected}"; it is ${page.url()}`)
        await sleep(50)
      }
      return
    }
  }
}

/**
 * From a target: the link or form that holds it, when that aims at another
 * tab (a target other than _self, _parent or _top, in any case). A
 * selector rather than an evaluation, so it runs in Playwright's own world
 * of the page: evaluating in the page's world would load Playwright's
 * script a second time into every document.
 */
const lower = (value: string) => `translate(${value}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`
const OPENS_TAB =
  'xpath=ancestor-or-self::*[self::a[@href] or self::area[@href] or self::form][1]' +
  `[@target != '' and not(${lower('@target')} = '_self' or ${lower('@target')} = '_parent' or ${lower('@target')} = '_top')]`

/** After an action that may navigate: wait for the new page to load. */
async function settle(page: Page, timeout: number): Promise<void> {
  await page.waitForLoadState('load', { timeout })
}

/** The page's main heading (or title), to say what was shown instead. */
async function whatThePageSays(page: Page): Promise<string> {
  const heading = await page
    .locator('h1')
    .first()
    .innerText({ timeout: 500 })
    .catch(() => '')
  const title = heading || (await page.title().catch(() => ''))
  return title ? `shows "${title.trim().replace(/\s+/g, ' ').slice(0, 80)}"` : 'shows no heading'
}
