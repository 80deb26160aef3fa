import { z } from '@hono/zod-openapi'
import { budgetKeys, type Budgets } from '../../domain/budget.ts'
import { budgetsSchema } from '../../promises/budgets-schema.ts'
import { scheduleSchema, timezoneSchema, uuid, type Schedule } from '../../promises/rules.ts'

// The rulebook's schemas (src/promises/rules.ts) with their OpenAPI names.

export { budgetKeys, timezoneSchema, uuid, type Schedule }

export const BudgetsSchema = budgetsSchema.openapi('Budgets', {
  example: { maxClicks: 3, maxSeconds: 60, maxStepSeconds: 10 },
}) satisfies z.ZodType<Budgets>

export const ScheduleSchema = scheduleSchema.openapi('Schedule', { example: { everySeconds: 60 } })
