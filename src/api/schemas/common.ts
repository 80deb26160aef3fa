import { z } from '@hono/zod-openapi'
import { budgetKeys, type Budgets } from '../../domain/budget.ts'
import { MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS, cronScheduleProblem } from '../../domain/promise-limits.ts'
import { budgetsSchema } from '../../promises/budgets-schema.ts'
import { isTimezone } from '../../domain/maintenance.ts'

export const uuid = (what: string) => z.string().uuid(`expected the id of ${what}`)

export const BudgetsSchema = budgetsSchema.openapi('Budgets', {
  example: { maxClicks: 3, maxSeconds: 60, maxStepSeconds: 10 },
}) satisfies z.ZodType<Budgets>

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
      const problem = cronScheduleProblem(value.cron, value.timezone ?? null)
      if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message })
    }
  })
  .openapi('Schedule', { example: { everySeconds: 60 } })

export type Schedule = z.infer<typeof ScheduleSchema>
