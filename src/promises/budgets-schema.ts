// zod from @hono/zod-openapi: the same zod, able to carry the API's OpenAPI names.
import { z } from '@hono/zod-openapi'
import type { BudgetKey } from '../domain/budget.ts'
import { BUDGET_LIMITS } from '../domain/promise-limits.ts'

// The budgets object as every door that takes JSON checks it (the API and
// check files), in the words the form uses too (numberProblem).

const budget = (key: BudgetKey) => {
  const limit = BUDGET_LIMITS[key]
  const message = `expected ${limit.what} from ${limit.min} to ${limit.max}`
  const base = z.number(message).min(limit.min, message).max(limit.max, message)
  return (limit.integer ? base.int(message) : base).optional()
}

export const budgetsSchema = z.strictObject({
  maxClicks: budget('maxClicks'),
  maxSeconds: budget('maxSeconds'),
  maxStepSeconds: budget('maxStepSeconds'),
  maxLcpMs: budget('maxLcpMs'),
  maxA11yViolations: budget('maxA11yViolations'),
})
