import { z } from 'zod'
import type { promises } from '../db/schema.ts'
import type { Device } from '../domain/device.ts'
import { budgetKeys, type Budgets } from '../domain/budget.ts'
import { MIN_INTERVAL_SECONDS } from '../domain/promise-limits.ts'
import { parseJourney } from '../domain/journey/parse.ts'
import { EMPTY_JOURNEY, PROMISE_DEFAULTS, problemsOf, promiseRules, unknownChannel, type PromiseProblem } from '../promises/rules.ts'
import type { PromiseInput } from '../promises/service.ts'

// The promise form's fields as typed (strings, so a refused form is shown
// again exactly as the owner left it), mapped onto the rulebook
// (src/promises/rules.ts) and its problems back onto the fields.

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
  claimUrl: string
  /** Regions, comma-separated ("eu, us"); empty: the default region. */
  regions: string
  /** Shown on the public status page, under publicTitle when it is filled. */
  public: boolean
  publicTitle: string
}

export type FieldErrors = Partial<Record<keyof PromiseFormValues, string>>

export const MIN_EVERY_SECONDS = MIN_INTERVAL_SECONDS

/** Customers a day a new promise starts with in the form, until the owner knows hers. */
export const FORM_DAILY_CUSTOMERS = 1000

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
    // Any number of customers gives the right NPS risk; 0 would give none (src/domain/nps.ts).
    dailyCustomers: String(FORM_DAILY_CUSTOMERS),
    detractorPercent: '25',
    device: 'desktop',
    marketingOwner: owner,
    techOwner: '',
    channels: [],
    claimUrl: '',
    regions: '',
    public: false,
    publicTitle: '',
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
    claimUrl: str(body.claimUrl),
    regions: str(body.regions),
    public: body.public === '1',
    publicTitle: str(body.publicTitle),
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
    claimUrl: row.claimUrl ?? '',
    regions: row.regions.join(', '),
    public: row.public,
    publicTitle: row.publicTitle ?? '',
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** A rule's message as the form shows it: a sentence. */
const sentence = (message: string) => `${capitalise(message)}.`

/**
 * The journey's errors as the form shows them: one a line, "Line 2: …",
 * without the columns the API gives (the first few, then how many more).
 */
export function journeyErrorText(journey: string): string | null {
  if (journey.trim() === '') return sentence(EMPTY_JOURNEY)
  const parsed = parseJourney(journey)
  if (parsed.ok) return null
  const shown = parsed.errors.slice(0, MAX_SHOWN).map((e) => `Line ${e.line}: ${e.message}.`)
  if (parsed.errors.length > MAX_SHOWN) shown.push(`… and ${parsed.errors.length - MAX_SHOWN} more.`)
  return shown.join('\n')
}

const MAX_SHOWN = 5

// The rulebook's fields the form has (channels are checked against the list shown).
const formSchema = z.object({
  title: promiseRules.title,
  description: promiseRules.description,
  journey: promiseRules.journey,
  budgets: promiseRules.budgets,
  schedule: promiseRules.schedule,
  dailyCustomers: promiseRules.dailyCustomers,
  detractorRate: promiseRules.detractorRate,
  device: promiseRules.device,
  marketingOwner: promiseRules.marketingOwner,
  techOwner: promiseRules.techOwner,
  claimUrl: promiseRules.claimUrl,
  regions: promiseRules.regions.optional(),
  public: promiseRules.public,
  publicTitle: promiseRules.publicTitle,
})

/** A typed number; empty is `fallback`, and what is not a number stays NaN for the rule to refuse. */
function typedNumber(text: string, fallback?: number): number | undefined {
  const t = text.trim()
  return t === '' ? fallback : Number(t)
}

/** The form's strings in the rulebook's shape. */
export function inputOf(values: PromiseFormValues): Omit<PromiseInput, 'channels'> {
  const budgets: Budgets = {}
  for (const key of budgetKeys) {
    const n = typedNumber(values[key])
    if (n !== undefined) budgets[key] = n
  }
  const percent = typedNumber(values.detractorPercent)
  return {
    title: values.title,
    description: values.description.trim() || null,
    journey: values.journey.replace(/\r\n?/g, '\n').trimEnd(),
    budgets,
    schedule:
      values.scheduleKind === 'every'
        ? { everySeconds: typedNumber(values.everySeconds, Number.NaN)! }
        : { cron: values.cron.trim(), timezone: values.timezone.trim() || 'UTC' },
    dailyCustomers: typedNumber(values.dailyCustomers, PROMISE_DEFAULTS.dailyCustomers)!,
    detractorRate: percent === undefined ? PROMISE_DEFAULTS.detractorRate : percent / 100,
    device: values.device,
    marketingOwner: values.marketingOwner.trim() || null,
    techOwner: values.techOwner.trim() || null,
    claimUrl: values.claimUrl.trim() || null,
    // Split at commas only: "us east" is one name, refused with its reason.
    ...(values.regions.trim() ? { regions: values.regions.split(',').map((r) => r.trim()).filter((r) => r !== '') } : {}),
    public: values.public,
    publicTitle: values.publicTitle.trim() || null,
  }
}

/** The form field a rule's path belongs to. */
function fieldOf(path: string, values: PromiseFormValues): keyof PromiseFormValues {
  if (path.startsWith('budgets.')) return path.slice(8) as keyof PromiseFormValues
  if (path === 'schedule.everySeconds' || path === 'schedule.cron' || path === 'schedule.timezone') return path.slice(9) as keyof PromiseFormValues
  if (path.startsWith('schedule')) return values.scheduleKind === 'every' ? 'everySeconds' : 'cron'
  if (path === 'detractorRate') return 'detractorPercent'
  if (path.startsWith('channels')) return 'channels'
  if (path.startsWith('regions')) return 'regions'
  return path as keyof PromiseFormValues
}

/** Problems of the rulebook as the form's field messages (the first of each field). */
export function fieldErrors(problems: PromiseProblem[], values: PromiseFormValues): FieldErrors {
  const errors: FieldErrors = {}
  for (const problem of problems) errors[fieldOf(problem.path, values)] ??= sentence(problem.message)
  return errors
}

/** Validate every field by the rulebook; errors name the form's field so it shows them next to it. */
export function parsePromiseForm(
  values: PromiseFormValues,
  knownChannels: ReadonlySet<string>,
): { ok: true; input: PromiseInput; channels: string[] } | { ok: false; errors: FieldErrors } {
  const raw = inputOf(values)
  const parsed = formSchema.safeParse(raw)
  const problems = parsed.success ? [] : problemsOf(parsed.error)
  // The journey's steps, when its text is storable: every bad line, in one message.
  const journey = problems.some((p) => p.path === 'journey') ? null : journeyErrorText(raw.journey)
  const channels = [...new Set(values.channels)]
  const unknown = channels.find((c) => !knownChannels.has(c))
  if (unknown) problems.push({ path: 'channels', message: unknownChannel(unknown) })
  if (!parsed.success || problems.length > 0 || journey) {
    return { ok: false, errors: { ...fieldErrors(problems, values), ...(journey ? { journey } : {}) } }
  }
  return { ok: true, channels, input: { ...parsed.data, channels } }
}
