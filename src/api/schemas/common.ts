import { z } from '@hono/zod-openapi'
import { budgetKeys, type BudgetKey, type Budgets } from '../../domain/budget.ts'
import { BUDGET_LIMITS, MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS, cronProblem } from '../../domain/promise-limits.ts'
import { isTimezone, recurrenceProblem } from '../../domain/maintenance.ts'

export const uuid = (what: string) => z.string().uuid(`expected the id of ${what}`)

/** A budget's number within its limit (src/domain/promise-limits.ts), in the same words as the form's. */
const budget = (key: BudgetKey) => {
  const limit = BUDGET_LIMITS[key]
  const message = `expected ${limit.what} from ${limit.min} to ${limit.max}`
  const base = z.number(message).min(limit.min, message).max(limit.max, message)
  return (limit.integer ? base.int(message) : base).optional()
}

export const BudgetsSchema = z
  .strictObject({
    maxClicks: budget('maxClicks'),
    maxSeconds: budget('maxSeconds'),
    maxStepSeconds: budget('maxStepSeconds'),
    maxLcpMs: budget('maxLcpMs'),
    maxA11yViolations: budget('maxA11yViolations'),
  })
  .openapi('Budgets', { example: { maxClicks: 3, maxSeconds: 60, maxStepSeconds: 10 } }) satisfies z.ZodType<Budgets>

export { budgetKeys }

export const timezoneSchema = z
  .string()
  .refine(isTimezone, { message: 'expected an IANA time zone like Europe/Paris' })

/** `{everySeconds}` or `{cron, timezone?}`: exactly one of the two. */
export const ScheduleSchema = z
  .strictObject({
    everySeconds: z
      .number()
      .int('expected a whole number of seconds')
      .min(MIN_INTERVAL_SECONDS, `expected at least ${MIN_INTERVAL_SECONDS} seconds`)
      .max(MAX_INTERVAL_SECONDS, `expected at most a week (${MAX_INTERVAL_SECONDS} seconds)`)
      .optional(),
    cron: z.string().trim().min(1, 'expected a cron pattern like "0 9 * * 1"').optional(),
    timezone: timezoneSchema.optional(),
  })
  .superRefine((value, ctx) => {
    if ((value.everySeconds === undefined) === (value.cron === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'expected either {"everySeconds": 60} or {"cron": "0 9 * * 1", "timezone": "Europe/Paris"}' })
      return
    }
    if (value.everySeconds !== undefined && value.timezone !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'a time zone goes only with a cron pattern' })
    }
    if (value.cron !== undefined) {
      const problem =
        recurrenceProblem(value.cron, value.timezone ?? null) ?? cronProblem(value.cron, value.timezone ?? 'UTC')
      if (problem) ctx.addIssue({ code: 'custom', path: [problem.startsWith('unknown timezone') ? 'timezone' : 'cron'], message: problem })
    }
  })
  .openapi('Schedule', { example: { everySeconds: 60 } })

export type Schedule = z.infer<typeof ScheduleSchema>
