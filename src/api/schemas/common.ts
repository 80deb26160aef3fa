import { z } from '@hono/zod-openapi'
import { budgetKeys, type Budgets } from '../../domain/budget.ts'
import { isTimezone, recurrenceProblem } from '../../domain/maintenance.ts'

export const uuid = (what: string) => z.string().uuid(`expected the id of ${what}`)

const count = (what: string) => z.number().int(`expected a whole number of ${what}`).min(0, `expected 0 or more ${what}`)
const positive = (what: string) => z.number().positive(`expected a number of ${what} above 0`)

export const BudgetsSchema = z
  .strictObject({
    maxClicks: count('clicks').optional(),
    maxSeconds: positive('seconds').optional(),
    maxStepSeconds: positive('seconds').optional(),
    maxLcpMs: positive('milliseconds').optional(),
    maxA11yViolations: count('violations').optional(),
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
      .min(30, 'expected at least 30 seconds')
      .max(7 * 86_400, 'expected at most a week (604800 seconds)')
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
      const problem = recurrenceProblem(value.cron, value.timezone ?? null)
      if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem })
    }
  })
  .openapi('Schedule', { example: { everySeconds: 60 } })

export type Schedule = z.infer<typeof ScheduleSchema>
