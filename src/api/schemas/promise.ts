import { z } from '@hono/zod-openapi'
import { BudgetsSchema, ScheduleSchema, uuid } from './common.ts'
import { PROMISE_STATES } from '../../domain/run.ts'

const email = (who: string) => z.email(`expected the ${who}'s email address`).nullable()

/** The fields a client may set, each with the error it gets when wrong. */
const fields = {
  title: z.string().trim().min(1, 'expected the promise in marketing words').max(200, 'expected at most 200 characters'),
  description: z.string().max(2000, 'expected at most 2000 characters').nullable(),
  journey: z.string().max(50_000, 'expected at most 50000 characters'),
  budgets: BudgetsSchema,
  schedule: ScheduleSchema.nullable(),
  dailyCustomers: z.number().int('expected a whole number of customers a day').min(0, 'expected 0 or more'),
  detractorRate: z.number().min(0, 'expected a share from 0 to 1').max(1, 'expected a share from 0 to 1'),
  device: z.enum(['desktop', 'phone'], 'expected "desktop" or "phone"'),
  marketingOwner: email('marketing owner'),
  techOwner: email('tech owner'),
  channels: z.array(uuid('a channel')).max(50, 'expected at most 50 channels'),
  paused: z.boolean('expected true or false'),
  breakAfter: z.number().int().min(1, 'expected 1 or more broken runs').max(100, 'expected at most 100'),
  resolveAfter: z.number().int().min(1, 'expected 1 or more kept runs').max(100, 'expected at most 100'),
  confirmBroken: z.boolean('expected true or false'),
}

export const PromiseCreateSchema = z
  .strictObject({
    ...fields,
    journey: fields.journey.min(1, 'expected the journey, one step a line (go to …, click "…")'),
    description: fields.description.optional(),
    budgets: fields.budgets.default({}),
    schedule: fields.schedule.default({ everySeconds: 300 }),
    dailyCustomers: fields.dailyCustomers.default(0),
    detractorRate: fields.detractorRate.default(0.25),
    device: fields.device.default('desktop'),
    marketingOwner: fields.marketingOwner.optional(),
    techOwner: fields.techOwner.optional(),
    channels: fields.channels.default([]),
    paused: fields.paused.default(false),
    breakAfter: fields.breakAfter.optional(),
    resolveAfter: fields.resolveAfter.optional(),
    confirmBroken: fields.confirmBroken.optional(),
  })
  .openapi('PromiseCreate', {
    example: {
      title: 'Order online in 3 clicks',
      journey: 'go to http://127.0.0.1:4100/\nclick "Shop now"\nclick "Add to cart"\nclick "Place order"\nexpect "Order confirmed"',
      budgets: { maxClicks: 3, maxSeconds: 60, maxStepSeconds: 10 },
      schedule: { everySeconds: 60 },
      dailyCustomers: 1200,
      detractorRate: 0.25,
      device: 'desktop',
      marketingOwner: 'ana@example.com',
      techOwner: 'tom@example.com',
      channels: [],
    },
  })

export const PromiseUpdateSchema = z.strictObject(fields).partial().openapi('PromiseUpdate')

export type PromiseCreate = z.infer<typeof PromiseCreateSchema>
export type PromiseUpdate = z.infer<typeof PromiseUpdateSchema>

const RunSummarySchema = z.object({
  id: z.string(),
  outcome: z.enum(['kept', 'at_risk', 'broken', 'error']),
  startedAt: z.string(),
  durationMs: z.number(),
  clicks: z.number(),
})

const OpenBreakSchema = z.object({
  id: z.string(),
  openedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
})

export const PromiseSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    source: z.enum(['form', 'check', 'demo']),
    checkFile: z.string().nullable(),
    journey: z.string(),
    budgets: BudgetsSchema,
    schedule: z
      .union([z.object({ everySeconds: z.number() }), z.object({ cron: z.string(), timezone: z.string().nullable() })])
      .nullable(),
    dailyCustomers: z.number(),
    detractorRate: z.number(),
    device: z.enum(['desktop', 'phone']),
    marketingOwner: z.string().nullable(),
    techOwner: z.string().nullable(),
    channels: z.array(z.string()),
    paused: z.boolean(),
    breakAfter: z.number(),
    resolveAfter: z.number(),
    confirmBroken: z.boolean(),
    state: z.enum(PROMISE_STATES).openapi({ description: '"overdue": no walk came for two intervals (no worker running, Redis lost its data); an open break stays "broken"' }),
    lastRunAt: z.string().nullable(),
    overdueSince: z.string().nullable(),
    lastRun: RunSummarySchema.nullable(),
    openBreak: OpenBreakSchema.nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Promise')

export type PromiseJson = z.infer<typeof PromiseSchema>
