import type { Page } from 'playwright-core'
import type { CheckHelpers } from '../check.ts'
import type { Step } from '../domain/journey/ast.ts'
import { formatParseError, parseOneStep } from '../domain/journey/parse.ts'
import type { RunValues } from '../domain/journey/run-values.ts'
import { SETTLE_GRACE_MS, performStep } from './steps.ts'
import { findTarget } from './targets.ts'

// The journey language inside a code check: find() resolves a target as a
// step in words does, perform() walks one step in words. Same resolution,
// settling and failure words, so code and words are judged alike.

export interface CheckHelperInput {
  page: Page
  touch: boolean
  secrets: Readonly<Record<string, string>>
  run: RunValues
  /** Epoch ms by which a helper call must be done (the step's limit, within the run's). */
  deadline(): number
  documentStatus(): number | null
}

export function checkHelpers(input: CheckHelperInput): CheckHelpers {
  return {
    run: input.run,
    find: (name, options = {}) =>
      findTarget(input.page, { action: options.action ?? 'click', name, ...options }, Math.min(input.deadline(), Date.now() + SETTLE_GRACE_MS)),
    perform: async (text) => {
      const parsed = parseOneStep(text)
      if (!parsed.ok) throw new Error(`perform(${JSON.stringify(text)}): ${formatParseError(parsed.error)}`)
      const step = { ...parsed.step, line: 1, text } as Step
      await performStep(step, { page: input.page, touch: input.touch, deadline: input.deadline(), secrets: input.secrets, run: input.run, documentStatus: input.documentStatus })
    },
  }
}
