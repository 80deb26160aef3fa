import { z } from '@hono/zod-openapi'
import { BudgetsSchema, ScheduleSchema } from './common.ts'
import { EMPTY_JOURNEY, PROMISE_DEFAULTS, promiseRules } from '../../promises/rules.ts'
import { DEVICES } from '../../domain/device.ts'
import { PROMISE_STATES } from '../../domain/run.ts'

/** The fields a client may set: the rulebook's (src/promises/rules.ts), with their OpenAPI names. */
const fields = { ...promiseRules, budgets: BudgetsSchema, schedule: ScheduleSchema.nullable() }

export const PromiseCreateSchema = z
  .strictObject({
    ...fields,
    journey: fields.journey.min(1, EMPTY_JOURNEY),
    description: fields.description.default(null),
    budgets: fields.budgets.default({}),
    schedule: fields.schedule.default(PROMISE_DEFAULTS.schedule),
    dailyCustomers: fields.dailyCustomers.default(PROMISE_DEFAULTS.dailyCustomers),
    detractorRate: fields.detractorRate.default(PROMISE_DEFAULTS.detractorRate),
    device: fields.device.default(PROMISE_DEFAULTS.device),
    marketingOwner: fields.marketingOwner.default(null),
    techOwner: fields.techOwner.default(null),
    channels: fields.channels.default([]),
    paused: fields.paused.default(false),
    breakAfter: fields.breakAfter.optional(),
    resolveAfter: fields.resolveAfter.optional(),
    confirmBroken: fields.confirmBroken.optional(),
    regions: fields.regions.optional().openapi({ description: 'Where it is walked from, each a region of journey workers (KEPT_REGION); default: the default region. A region no worker has announced is refused' }),
    claimUrl: fields.claimUrl.default(null).openapi({ description: 'A page where the site makes this promise, read on every walk for claim drift (besides the pages the journey visits)' }),
    public: fields.public.default(false).openapi({ description: 'Shown on the public status page (/status), with its state, kept rate and incidents; never its journey, addresses or owners' }),
    publicTitle: fields.publicTitle.default(null).openapi({ description: 'The promise in customers’ words on the status page; the title when null' }),
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

const FigureSchema = z.object({ kind: z.enum(['clicks', 'seconds']), value: z.number() })

const ClaimDriftSchema = z
  .object({
    claimed: FigureSchema,
    measured: FigureSchema,
    registered: FigureSchema.nullable(),
    text: z.string(),
    pageUrl: z.string(),
    since: z.string(),
  })
  .openapi('ClaimDrift')

const RegionVerdictSchema = z
  .object({
    region: z.string(),
    state: z.enum(['pending', 'kept', 'at_risk', 'broken', 'not_walked']),
    lastRunAt: z.string().nullable(),
  })
  .openapi('RegionVerdict')

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
    device: z.enum(DEVICES),
    marketingOwner: z.string().nullable(),
    techOwner: z.string().nullable(),
    channels: z.array(z.string()),
    paused: z.boolean(),
    breakAfter: z.number(),
    resolveAfter: z.number(),
    confirmBroken: z.boolean(),
    public: z.boolean(),
    publicTitle: z.string().nullable(),
    claimUrl: z.string().nullable(),
    claimDrift: ClaimDriftSchema.nullable().openapi({ description: 'null when the site’s words agree with what customers live; else what the site claims, what the walk measured, what the promise allows, the sentence and its page, and since when' }),
    state: z.enum(PROMISE_STATES).openapi({ description: '"overdue": no walk came for two intervals (no worker running, Redis lost its data); an open break stays "broken". With several regions: the worst of theirs' }),
    regions: z.array(RegionVerdictSchema).openapi({ description: 'Its verdict in each region it is walked from; "not_walked": no worker of that region is running (its last verdict is old news)' }),
    lastRunAt: z.string().nullable(),
    overdueSince: z.string().nullable(),
    lastRun: RunSummarySchema.nullable(),
    openBreak: OpenBreakSchema.nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Promise')

export type PromiseJson = z.infer<typeof PromiseSchema>
