import type { Locator, Page } from 'playwright-core'
import type { Step, TargetStep } from '../domain/journey/ast.ts'
import { fillRunValues, type RunValues } from '../domain/journey/run-values.ts'
import { fillSecrets } from '../domain/journey/secrets.ts'
import { act } from './act.ts'
import { closestNames } from './candidates.ts'
import { keptSelector } from './engine.ts'
import { whatThePageSaysIsWrong } from './page-reads.ts'
import { settle, watchOf } from './settle.ts'
import { sleep, StepFailure } from './step-failure.ts'
import { findTarget, frameCounts, type TargetAction, type TargetQuery } from './targets.ts'

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
  /** {{run.id}}, {{run.email}}, {{today}} of this walk. */
  run: RunValues
  /** The HTTP status of the main frame's current document, when known. */
  documentStatus(): number | null
}

/**
 * Performs one step of a plain-language journey; throws StepFailure when
 * the site does not do what the step expects, in the words of the cause:
 * an error the page threw or a request of the site's that failed while it
 * reacted, a target it could not act on and why, and what the page says
 * is wrong (its alerts, its invalid fields).
 */
export async function performStep(step: Step, ctx: StepContext): Promise<void> {
  try {
    await perform(step, ctx)
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error
    const said = await whatThePageSaysIsWrong(ctx.page)
    throw said ? new StepFailure(`${error.message}; ${said}`) : error
  }
}

async function perform(step: Step, ctx: StepContext): Promise<void> {
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
      return fillRunValues(fillSecrets(text, ctx.secrets), ctx.run)
    } catch (error) {
      throw new StepFailure((error as Error).message)
    }
  }
  const target = async (s: TargetStep, action: TargetAction) => findTarget(page, queryOf(s, action, value), await settled())
  /** An action on the page, then its settling; the page's own failure meanwhile fails the step. */
  const acting = async (fn: () => Promise<void>) => {
    const watch = watchOf(page)
    const since = Date.now()
    await fn()
    // The action closed its own tab (a popup's "Close"): the journey goes on in the first one.
    if (page.isClosed()) return
    await settle(page, since, deadline)
    const problem = watch.problemSince(since)
    if (problem) throw new StepFailure(problem)
  }
  const name = (s: TargetStep) => value(s.target)

  switch (step.kind) {
    case 'goto': {
      watchOf(page)
      const since = Date.now()
      const response = await page.goto(value(step.url), { waitUntil: 'load', timeout: remaining() })
      if (response && response.status() >= 400) {
        throw new StepFailure(`${page.url()} answered HTTP ${response.status()}`)
      }
      // A single-page app draws after its load, once it has asked its server (Juice Shop's welcome
      // dialog): the next step is judged on that, not on the first paint. Its errors meanwhile do not
      // fail the step (many sites throw some on every load).
      await settle(page, since, deadline)
      return
    }
    case 'click': {
      const found = await target(step, 'click')
      // A link or form aimed at another tab: the journey goes on there, so
      // the step ends once that tab exists (run-journey switches to it).
      const opensTab = (await found.locator(OPENS_TAB).count().catch(() => 0)) > 0
      const tab = opensTab ? page.waitForEvent('popup', { timeout: remaining() }) : null
      tab?.catch(() => {}) // awaited below unless the click itself fails
      const verb = step.double ? 'double-clicked' : ctx.touch ? 'tapped' : 'clicked'
      await acting(async () => {
        await act(found, name(step), verb, (timeout) => (step.double ? found.dblclick({ timeout }) : ctx.touch ? found.tap({ timeout }) : found.click({ timeout })), remaining())
        if (tab) await tab
      })
      return
    }
    case 'fill': {
      const found = await target(step, 'fill')
      await acting(async () => {
        await act(found, name(step), 'filled', (timeout) => found.fill(value(step.value), { timeout }), remaining())
        if (step.press !== undefined) await found.press(step.press, { timeout: remaining() })
      })
      return
    }
    case 'select': {
      const found = await target(step, 'select')
      await acting(() => choose(found, value(step.option), name(step), ctx, remaining()))
      return
    }
    case 'check':
    case 'uncheck': {
      const found = await target(step, 'check')
      const wanted = step.kind === 'check'
      const state = () =>
        found.isChecked({ timeout: remaining() }).catch((error: Error) => {
          if (/Not a checkbox/i.test(error.message)) throw new StepFailure(`"${name(step)}" is not a checkbox or radio button on ${page.url()}`)
          throw error
        })
      if ((await state()) !== wanted) {
        await acting(() => act(found, name(step), ctx.touch ? 'tapped' : 'clicked', (timeout) => (ctx.touch ? found.tap({ timeout }) : found.click({ timeout })), remaining()))
      }
      if ((await state()) !== wanted) {
        throw new StepFailure(`"${name(step)}" did not become ${wanted ? 'checked' : 'unchecked'} on ${page.url()}`)
      }
      return
    }
    case 'hover': {
      const found = await target(step, 'hover')
      await acting(() => act(found, name(step), 'hovered', (timeout) => found.hover({ timeout }), remaining()))
      return
    }
    case 'scrollTo': {
      const found = await target(step, 'scroll')
      await act(found, name(step), 'scrolled to', (timeout) => found.scrollIntoViewIfNeeded({ timeout }), remaining())
      await settle(page, Date.now(), deadline)
      return
    }
    case 'press': {
      await acting(() => page.keyboard.press(step.key))
      return
    }
    case 'wait':
      await sleep(Math.min(step.seconds * 1000, remaining()))
      return
    case 'expectText':
    case 'waitFor': {
      const expected = value(step.expected)
      const within = step.within === undefined ? undefined : value(step.within)
      const until = step.kind === 'waitFor' ? deadline : await settled()
      if (await shows(page, expected, within, until, true)) return
      const status = ctx.documentStatus()
      const answered = status !== null && status >= 400 ? `the page answered HTTP ${status} and ` : 'the page '
      throw new StepFailure(`expected "${expected}"${within === undefined ? '' : ` in "${within}"`} on ${page.url()}; ${answered}${await whatThePageShows(page, expected)}`)
    }
    case 'expectNoText': {
      const expected = value(step.expected)
      const within = step.within === undefined ? undefined : value(step.within)
      // Something on its way out (a "Loading…") may take a moment to go.
      if (await shows(page, expected, within, await settled(), false)) return
      const shown = await textShown(page, expected, within)
      throw new StepFailure(`expected no "${expected}"${within === undefined ? '' : ` in "${within}"`} on ${page.url()}; the page shows "${shown}"`)
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

function queryOf(step: TargetStep, action: TargetAction, value: (text: string) => string): TargetQuery {
  return {
    action,
    name: value(step.target),
    ...(step.testId ? { testId: true } : {}),
    ...(step.nth !== undefined ? { nth: step.nth } : {}),
    ...(step.within !== undefined ? { within: value(step.within) } : {}),
  }
}

/** A drop-down's option: a <select>'s by label or value; a drawn list (role=combobox) opened and its option clicked, as a person would. */
async function choose(found: Locator, option: string, name: string, ctx: StepContext, timeoutMs: number): Promise<void> {
  const isSelect = (await found.locator('xpath=self::select').count().catch(() => 1)) > 0
  if (isSelect) {
    const chosen = await found.selectOption({ label: option }, { timeout: Math.min(timeoutMs, 1000) }).catch(() => null)
    if (!chosen) await act(found, name, 'chosen from', (timeout) => found.selectOption(option, { timeout }), timeoutMs)
    return
  }
  await act(found, name, 'opened', (timeout) => (ctx.touch ? found.tap({ timeout }) : found.click({ timeout })), timeoutMs)
  const item = await findTarget(ctx.page, { action: 'click', name: option }, Math.min(ctx.deadline, Date.now() + SETTLE_GRACE_MS))
  await act(item, option, 'chosen', (timeout) => (ctx.touch ? item.tap({ timeout }) : item.click({ timeout })), ctx.deadline - Date.now())
}

/**
 * Whether `expected` is shown (or, with `present` false, gone) by `until`.
 * A page of one frame waits in the page (Playwright's own polling, no
 * round trip per look); with frames, every frame is looked at in turn.
 */
async function shows(page: Page, expected: string, within: string | undefined, until: number, present: boolean): Promise<boolean> {
  const selector = keptSelector({ op: 'find', action: 'text', name: expected, ...(within !== undefined ? { within } : {}) })
  const frames = page.frames()
  if (frames.length === 1) {
    return page
      .locator(selector)
      .first()
      .waitFor({ state: present ? 'attached' : 'detached', timeout: Math.max(1, until - Date.now()) })
      .then(() => true, () => false)
  }
  for (let pause = 50; ; pause = Math.min(pause * 2, 250)) {
    const counts = await frameCounts(page.frames(), selector)
    if (counts.some((n) => n > 0) === present) return true
    if (Date.now() + pause >= until) return false
    await sleep(pause)
  }
}

/** The text of the element that shows `expected`, for the message of `expect no`. */
async function textShown(page: Page, expected: string, within: string | undefined): Promise<string> {
  const selector = keptSelector({ op: 'find', action: 'text', name: expected, ...(within !== undefined ? { within } : {}) })
  for (const frame of page.frames()) {
    const text = await frame.locator(selector).first().innerText({ timeout: 500 }).catch(() => '')
    if (text) {
      const line = text.replace(/\s+/g, ' ').trim()
      return line.length > 80 ? `${line.slice(0, 79)}…` : line
    }
  }
  return expected
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

/** The page's main heading (or title), to say what was shown instead. */
async function whatThePageShows(page: Page, expected: string): Promise<string> {
  const heading = await page
    .locator('h1')
    .first()
    .innerText({ timeout: 500 })
    .catch(() => '')
  const title = (heading || (await page.title().catch(() => ''))).trim().replace(/\s+/g, ' ').slice(0, 80)
  const shows = title ? `shows "${title}"` : 'shows no heading'
  // The text most like the one expected: "1 item left" missing where "0 items left" shows is the cause in the page's words.
  const texts = await Promise.all(page.frames().map((frame) => frame.locator('body').innerText({ timeout: 500 }).catch(() => '')))
  const lines = texts.flatMap((text) => text.split('\n').map((line) => line.trim().replace(/\s+/g, ' ')).filter((line) => line && line.length <= 120 && line !== title))
  const [closest] = closestNames(expected, lines.slice(0, 2000), 1, CLOSEST_TEXT)
  return closest ? `${shows}; closest text: "${closest}"` : shows
}

/** How alike a text on the page must be to the one expected to be named as the closest. */
const CLOSEST_TEXT = 0.6
