import { z } from 'zod'
import type { promises } from '../db/schema.ts'
import type { Device } from '../domain/device.ts'
import type { BudgetKey, Budgets } from '../domain/budget.ts'
import { BUDGET_LIMITS, MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS, cronProblem, numberProblem, textProblem, type NumberLimit } from '../domain/promise-limits.ts'
import { parseJourney } from '../domain/journey/parse.ts'

// The promise form's fields as typed (strings, so a refused form is shown
// again exactly as the owner left it) and their validation into a row.

export interface PromiseFormValues {
  title: string
  description: string
  journey: string
  maxClicks: string
  maxSeconds: string
  maxStepSeconds: string
  maxLcpMs: string
  maxA11yViolations: string
  scheduleKind: 'every' | 'cron'
  everySeconds: string
  cron: string
  timezone: string
  dailyCustomers: string
  detractorPercent: string
  device: Device
  marketingOwner: string
  techOwner: string
  channels: string[]
}

export type FieldErrors = Partial<Record<keyof PromiseFormValues, string>>

export type PromiseFields = Pick<
  typeof promises.$inferInsert,
  | 'title'
  | 'description'
  | 'journey'
  | 'budgets'
  | 'scheduleEverySeconds'
  | 'scheduleCron'
  | 'scheduleTimezone'
  | 'dailyCustomers'
  | 'detractorRate'
  | 'device'
  | 'marketingOwner'
  | 'techOwner'
>

export const MIN_EVERY_SECONDS = MIN_INTERVAL_SECONDS

/** What the budgets' hint says: the wording's suggestion in words, or how to leave one out. */
export function budgetHint(suggested: Budgets): string {
  const parts: string[] = []
  if (suggested.maxClicks !== undefined) parts.push(`at most ${suggested.maxClicks} ${suggested.maxClicks === 1 ? 'click' : 'clicks'}`)
  if (suggested.maxSeconds !== undefined) parts.push(`${suggested.maxSeconds} s in all`)
  if (suggested.maxStepSeconds !== undefined) parts.push(`${suggested.maxStepSeconds} s a step`)
  return parts.length
    ? `Suggested from your wording: ${parts.join(', ')}. Change them if the promise means something else.`
    : 'Leave a budget empty when the promise says nothing about it.'
}

export function emptyValues(owner = ''): PromiseFormValues {
  return {
    title: '',
    description: '',
    journey: '',
    maxClicks: '',
    maxSeconds: '',
    maxStepSeconds: '',
    maxLcpMs: '',
    maxA11yViolations: '',
    scheduleKind: 'every',
    everySeconds: '300',
    cron: '',
    timezone: 'UTC',
    dailyCustomers: '',
    detractorPercent: '25',
    device: 'desktop',
    marketingOwner: owner,
    techOwner: '',
    channels: [],
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : '')
const num = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v))

/** The values of a parsed form body (hono parseBody({ all: true })). */
export function valuesFromBody(body: Record<string, unknown>): PromiseFormValues {
  const channels = body.channels
  return {
    title: str(body.title),
    description: str(body.description),
    journey: str(body.journey),
    maxClicks: str(body.maxClicks),
    maxSeconds: str(body.maxSeconds),
    maxStepSeconds: str(body.maxStepSeconds),
    maxLcpMs: str(body.maxLcpMs),
    maxA11yViolations: str(body.maxA11yViolations),
    scheduleKind: body.scheduleKind === 'cron' ? 'cron' : 'every',
    everySeconds: str(body.everySeconds),
    cron: str(body.cron),
    timezone: str(body.timezone),
    dailyCustomers: str(body.dailyCustomers),
    detractorPercent: str(body.detractorPercent),
    device: body.device === 'phone' ? 'phone' : 'desktop',
    marketingOwner: str(body.marketingOwner),
    techOwner: str(body.techOwner),
    channels: (Array.isArray(channels) ? channels : channels === undefined ? [] : [channels]).filter(
      (c): c is string => typeof c === 'string',
    ),
  }
}

export function valuesFromRow(row: typeof promises.$inferSelect, channelIds: string[]): PromiseFormValues {
  return {
    title: row.title,
    description: row.description ?? '',
    journey: row.journey,
    maxClicks: num(row.budgets.maxClicks),
    maxSeconds: num(row.budgets.maxSeconds),
    maxStepSeconds: num(row.budgets.maxStepSeconds),
    maxLcpMs: num(row.budgets.maxLcpMs),
    maxA11yViolations: num(row.budgets.maxA11yViolations),
    scheduleKind: row.scheduleCron ? 'cron' : 'every',
    everySeconds: num(row.scheduleEverySeconds ?? 300),
    cron: row.scheduleCron ?? '',
    timezone: row.scheduleTimezone ?? 'UTC',
    dailyCustomers: num(row.dailyCustomers),
    detractorPercent: String(Math.round(row.detractorRate * 1000) / 10),
    device: row.device,
    marketingOwner: row.marketingOwner ?? '',
    techOwner: row.techOwner ?? '',
    channels: channelIds,
  }
}

function numberField(text: string, limit: NumberLimit) {
  const t = text.trim()
  if (t === '') return { value: undefined }
  const n = Number(t)
  const problem = numberProblem(n, limit)
  return problem ? { error: `${capitalise(problem)}.` } : { value: n }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function isTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

const email = z.email()

/** The journey's errors as one message: line and column of each (the first few). */
export function journeyErrorText(journey: string): string | null {
  if (journey.trim() === '') return 'Write the steps a customer takes, one a line, starting with go to and the address.'
  const parsed = parseJourney(journey)
  if (parsed.ok) return null
  const shown = parsed.errors.slice(0, 3).map((e) => `Line ${e.line}, column ${e.column}: ${e.message}`)
  if (parsed.errors.length > 3) shown.push(`… and ${parsed.errors.length - 3} more.`)
  return shown.join(' ')
}

/** Validate every field; errors name the field so the form shows them next to it. */
export function parsePromiseForm(
  values: PromiseFormValues,
  knownChannels: ReadonlySet<string>,
): { ok: true; fields: PromiseFields; channels: string[] } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {}
  // Text Postgres cannot store (a NUL, a lone surrogate) is refused by field, before anything else.
  for (const key of ['title', 'description', 'journey', 'marketingOwner', 'techOwner'] as const) {
    const problem = textProblem(values[key])
    if (problem) errors[key] = `${capitalise(problem)}.`
  }
  const title = values.title.trim()
  if (errors.title) {
    // refused above
  } else if (title === '') errors.title = 'Write the promise as you tell it to customers, e.g. “Order online in 3 clicks”.'
  else if (title.length > 200) errors.title = 'Keep the promise under 200 characters.'
  if (!errors.description && values.description.length > 2000) errors.description = 'Keep the description under 2,000 characters.'

  const journeyError = errors.journey ? null : journeyErrorText(values.journey)
  if (journeyError) errors.journey = journeyError

  const budgets: Budgets = {}
  for (const [key, spec] of Object.entries(BUDGET_LIMITS) as [BudgetKey, NumberLimit][]) {
    const r = numberField(values[key], spec)
    if ('error' in r) errors[key] = r.error
    else if (r.value !== undefined) budgets[key] = r.value
  }

  let scheduleEverySeconds: number | null = null
  let scheduleCron: string | null = null
  let scheduleTimezone: string | null = null
  if (values.scheduleKind === 'every') {
    const r = numberField(values.everySeconds, { min: MIN_EVERY_SECONDS, max: MAX_INTERVAL_SECONDS, integer: true, what: 'whole seconds' })
    if ('error' in r) errors.everySeconds = r.error
    else if (r.value === undefined) errors.everySeconds = `Say how often, in seconds (at least ${MIN_EVERY_SECONDS}).`
    else scheduleEverySeconds = r.value
  } else {
    const zone = values.timezone.trim() || 'UTC'
    if (!isTimezone(zone)) errors.timezone = 'Expected a time zone like Europe/Paris or UTC.'
    else scheduleTimezone = zone
    const cron = values.cron.trim()
    if (cron === '') errors.cron = 'Write a cron pattern, e.g. */5 * * * * (every five minutes).'
    else {
      const problem = cronProblem(cron, isTimezone(zone) ? zone : 'UTC')
      if (!problem) scheduleCron = cron
      else if (problem.startsWith('invalid')) errors.cron = 'Expected a cron pattern with 5 fields, e.g. 0 9 * * 1-5 (weekdays at 9:00).'
      else errors.cron = `${capitalise(problem)}.`
    }
  }

  const daily = numberField(values.dailyCustomers, { min: 0, max: 100_000_000, integer: true, what: 'a whole number' })
  if ('error' in daily) errors.dailyCustomers = daily.error
  const detractor = numberField(values.detractorPercent, { min: 0, max: 100, integer: false, what: 'a percentage' })
  if ('error' in detractor) errors.detractorPercent = detractor.error

  for (const key of ['marketingOwner', 'techOwner'] as const) {
    const v = values[key].trim()
    if (!errors[key] && v !== '' && !email.safeParse(v).success) errors[key] = 'Expected an email address, e.g. ana@example.com.'
  }
  const channels = [...new Set(values.channels)]
  if (channels.some((c) => !knownChannels.has(c))) errors.channels = 'A chosen channel no longer exists. Choose again.'

  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return {
    ok: true,
    channels,
    fields: {
      title,
      description: values.description.trim() || null,
      journey: values.journey.replace(/\r\n?/g, '\n').trimEnd(),
      budgets,
      scheduleEverySeconds,
      scheduleCron,
      scheduleTimezone,
      dailyCustomers: 'value' in daily ? (daily.value ?? 0) : 0,
      detractorRate: 'value' in detractor && detractor.value !== undefined ? detractor.value / 100 : 0.25,
      device: values.device,
      marketingOwner: values.marketingOwner.trim() || null,
      techOwner: values.techOwner.trim() || null,
    },
  }
}
