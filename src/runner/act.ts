import type { Locator } from 'playwright-core'
import { whyNot } from './page-reads.ts'
import { StepFailure } from './step-failure.ts'

// An action on a found target, and when it cannot be done, why in a
// person's words: disabled, covered by another element (named), outside
// the part of the page that can be seen, gone from the page. Playwright
// waits for a target to become actionable; a person waits a few seconds,
// not the whole walk, so the action is given ACTION_PATIENCE_MS.

export const ACTION_PATIENCE_MS = 5000

/**
 * Runs `action` on `locator` (given at most `timeoutMs`); when it fails,
 * the step fails with why the target took no action, else Playwright's
 * own words.
 */
export async function act(locator: Locator, name: string, verb: string, action: (timeout: number) => Promise<unknown>, timeoutMs: number): Promise<void> {
  try {
    await action(Math.min(timeoutMs, ACTION_PATIENCE_MS))
  } catch (error) {
    const message = (error as Error)?.message ?? ''
    if (/has been closed|Target closed|browser has disconnected/i.test(message)) throw error
    // The pointer's events were sent and the page is still busy with them
    // (a handler that draws the next page, then blocks for seconds): the
    // customer's click was taken; the wait is the step's time, judged by
    // the budgets, not a target that could not be clicked.
    if (delivered(message)) return
    // Found alone, then joined by another of its name (a menu opened, a row added).
    const strict = /strict mode violation: .* resolved to (\d+) elements/.exec(message)
    if (strict) throw new StepFailure(`"${name}" could not be ${verb}: ${strict[1]} elements match it now; say which one`)
    const why = await whyNot(locator, verb)
    if (why) throw new StepFailure(`"${name}" could not be ${verb}: ${why}`)
    throw error
  }
}

/**
 * Whether Playwright's call log shows the last attempt sending the
 * pointer's events (`performing click action`) and the time running out
 * while the page handled them, rather than a retry (another element
 * took the click) or a wait before it.
 */
export function delivered(message: string): boolean {
  if (!/Timeout \d+ms exceeded/.test(message)) return false
  const last = message.lastIndexOf('performing ')
  if (last < 0) return false
  const after = message.slice(last)
  return /^performing (click|dblclick|tap|hover) action/.test(after) && !/retrying|intercepts pointer events|not (visible|enabled|stable)|detached/i.test(after)
}
