import { CronExpressionParser } from 'cron-parser'
import type { BudgetKey } from './budget.ts'
import { isTimezone } from './maintenance.ts'

// The limits of a promise's numbers, the same for every door (API, form,
// check files), with the words each wrong value gets.

export interface NumberLimit {
  min: number
  max: number
  integer: boolean
  /** "a whole number of clicks" */
  what: string
}

export const BUDGET_LIMITS: Record<BudgetKey, NumberLimit> = {
  maxClicks: { min: 0, max: 1000, integer: true, what: 'a whole number of clicks' },
  maxSeconds: { min: 1, max: 3600, integer: false, what: 'a number of seconds' },
  maxStepSeconds: { min: 1, max: 600, integer: false, what: 'a number of seconds' },
  maxLcpMs: { min: 100, max: 60_000, integer: true, what: 'a whole number of milliseconds' },
  maxA11yViolations: { min: 0, max: 1000, integer: true, what: 'a whole number of violations' },
}

/** The shortest time between two walks of a promise, by interval or by cron. */
export const MIN_INTERVAL_SECONDS = 30
export const MAX_INTERVAL_SECONDS = 7 * 86_400

/** "expected a whole number of clicks from 0 to 1000", or null when the value is within its limit. */
export function numberProblem(value: number, limit: NumberLimit): string | null {
  const within =
    Number.isFinite(value) && (!limit.integer || Number.isInteger(value)) && value >= limit.min && value <= limit.max
  return within ? null : `expected ${limit.what} from ${limit.min} to ${limit.max}`
}

// Enough occurrences to meet every gap of a pattern that repeats within a
// few days (seconds and minutes fields), and a horizon to stop at.
const CRON_SAMPLES = 2000
const CRON_HORIZON_MS = 400 * 86_400_000

/**
 * Why a cron schedule cannot walk a promise, naming the field at fault, or
 * null: a known time zone, a pattern that parses, and no two walks closer
 * than MIN_INTERVAL_SECONDS (a 6-field pattern can name seconds: "* * * * * *"
 * walks every second).
 */
export function cronScheduleProblem(pattern: string, timezone: string | null): { field: 'cron' | 'timezone'; message: string } | null {
  if (timezone !== null && !isTimezone(timezone)) {
    return { field: 'timezone', message: `unknown timezone "${timezone}", expected an IANA name like Europe/Paris` }
  }
  const message = cronProblem(pattern, timezone ?? 'UTC')
  return message ? { field: 'cron', message } : null
}

/** The pattern's part of cronScheduleProblem, in a zone already known good. */
export function cronProblem(pattern: string, timezone: string): string | null {
  let expression
  try {
    expression = CronExpressionParser.parse(pattern, { tz: timezone })
  } catch (error) {
    return `invalid cron pattern: ${(error as Error).message}`
  }
  let previous: number | null = null
  const until = Date.now() + CRON_HORIZON_MS
  for (let i = 0; i < CRON_SAMPLES; i += 1) {
    let next: number
    try {
      next = expression.next().getTime()
    } catch {
      break // no more occurrences (e.g. a date in the past)
    }
    if (previous !== null && next - previous < MIN_INTERVAL_SECONDS * 1000) {
      const gap = Math.round((next - previous) / 1000)
      return `expected walks at least ${MIN_INTERVAL_SECONDS} seconds apart; this pattern walks ${gap} s apart`
    }
    if (next > until) break
    previous = next
  }
  return null
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Why a text cannot be stored, or null: Postgres text holds no NUL, and a
 * lone surrogate is no Unicode character (it would be stored mangled).
 */
export function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'expected text without NUL (\\u0000) characters'
  if (LONE_SURROGATE.test(value)) return 'expected valid Unicode text (it has a lone surrogate, half of an emoji or other character)'
  return null
}
