// zod from @hono/zod-openapi: the same zod, able to carry the API's OpenAPI names.
import { z } from '@hono/zod-openapi'
import { DEVICES } from '../domain/device.ts'
import { formatParseError, parseJourney } from '../domain/journey/parse.ts'
import { isTimezone } from '../domain/maintenance.ts'
import { MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS, cronScheduleProblem, textProblem } from '../domain/promise-limits.ts'
import { MAX_REGIONS, REGION_EXPECTED, REGION_NAME } from '../domain/region.ts'
import { budgetsSchema } from './budgets-schema.ts'

// The one rulebook of a promise: every field, its limits and the words a
// wrong value gets. The API takes it as its JSON schema, the form maps its
// strings onto it (promise-input.ts), check files are judged by it
// (runner/checks.ts). A value one door accepts, every door accepts.

/** Text Postgres can store, at most `max` characters. */
const text = (max: number) =>
  z
    .string()
    .max(max, `expected at most ${max} characters`)
    .superRefine((value, ctx) => {
      const problem = textProblem(value)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    })

export const uuid = (what: string) => z.string().uuid(`expected the id of ${what}`)

export const timezoneSchema = z.string().refine(isTimezone, { message: 'expected an IANA time zone like Europe/Paris' })

/** `{everySeconds}` or `{cron, timezone?}`: exactly one of the two. */
export const scheduleSchema = z
  .strictObject({
    everySeconds: z
      .number('expected a whole number of seconds')
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
      // A wrong time zone is its own field's problem: the pattern is judged in UTC meanwhile.
      const zone = value.timezone !== undefined && isTimezone(value.timezone) ? value.timezone : null
      const problem = cronScheduleProblem(value.cron, zone)
      if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message })
    }
  })

export type Schedule = z.infer<typeof scheduleSchema>

const email = (who: string) => z.email(`expected the ${who}'s email address`)

/** Each field a promise has, with its limits and messages. */
export const promiseRules = {
  title: text(200).pipe(z.string().trim().min(1, 'expected the promise in marketing words')),
  description: text(2000).nullable(),
  journey: text(50_000),
  budgets: budgetsSchema,
  schedule: scheduleSchema.nullable(),
  dailyCustomers: z
    .number('expected a whole number of customers a day')
    .int('expected a whole number of customers a day')
    .min(0, 'expected 0 or more customers a day')
    .max(100_000_000, 'expected at most 100000000 customers a day'),
  detractorRate: z.number('expected a share from 0 to 1 (0 % to 100 %)').min(0, 'expected a share from 0 to 1 (0 % to 100 %)').max(1, 'expected a share from 0 to 1 (0 % to 100 %)'),
  device: z.enum(DEVICES, 'expected "desktop" or "phone"'),
  marketingOwner: email('marketing owner').nullable(),
  techOwner: email('tech owner').nullable(),
  channels: z.array(uuid('a channel')).max(50, 'expected at most 50 channels'),
  paused: z.boolean('expected true or false'),
  breakAfter: z.number().int().min(1, 'expected 1 or more broken runs').max(100, 'expected at most 100'),
  resolveAfter: z.number().int().min(1, 'expected 1 or more kept runs').max(100, 'expected at most 100'),
  confirmBroken: z.boolean('expected true or false'),
  claimUrl: z
    .string('expected the address of a page of your site, like https://shop.example.com/')
    .max(2000, 'expected at most 2000 characters')
    .refine((v) => isWebAddress(v), 'expected the address of a page of your site, like https://shop.example.com/')
    .nullable(),
  regions: z
    .array(
      z.string('expected a region name').refine((name) => REGION_NAME.test(name), { error: (issue) => `${REGION_EXPECTED} (got ${JSON.stringify(issue.input)})` }),
      'expected a list of regions, like ["eu", "us"]',
    )
    .min(1, 'expected at least one region, like ["eu"]')
    .max(MAX_REGIONS, `expected at most ${MAX_REGIONS} regions`)
    .refine((list) => new Set(list).size === list.length, 'expected each region once'),
  public: z.boolean('expected true or false'),
  publicTitle: text(200).pipe(z.string().trim().min(1, 'expected the promise in customers’ words, or null for its title')).nullable(),
}

/** Defaults of a new promise, whichever door makes it. */
export const PROMISE_DEFAULTS = {
  schedule: { everySeconds: 300 },
  dailyCustomers: 0,
  detractorRate: 0.25,
  device: 'desktop',
} as const

export const EMPTY_JOURNEY = 'expected the journey, one step a line (go to …, click "…")'

function isWebAddress(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol)
  } catch {
    return false
  }
}

/** A problem of a promise's input: where (a path like `budgets.maxClicks`) and what is expected. */
export interface PromiseProblem {
  path: string
  message: string
}

/** Every line of a journey that does not parse, as problems of `journey`; none when it parses. */
export function journeyProblems(journey: string): PromiseProblem[] {
  if (journey.trim() === '') return [{ path: 'journey', message: EMPTY_JOURNEY }]
  const parsed = parseJourney(journey)
  return parsed.ok ? [] : parsed.errors.map((e) => ({ path: 'journey', message: formatParseError(e) }))
}

/** The message of a chosen channel that does not exist. */
export function unknownChannel(id: string): string {
  return `no channel with id ${id}`
}

/** The message of a region no journey worker announced, with those that did. */
export function unknownRegion(region: string, live: readonly string[]): string {
  const known = live.length > 0 ? `regions with a live worker: ${live.join(', ')}` : 'no region has a live worker now'
  return `no journey worker walks region "${region}" (${known}); start one with \`kept worker --region ${region}\` first`
}

/** zod's issues as problems, the path joined with dots. */
export function problemsOf(error: z.ZodError): PromiseProblem[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }))
}
