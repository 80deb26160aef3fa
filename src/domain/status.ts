import { formatDuration, formatRate } from './format.ts'
import { activeWindow, type Interval, type MaintenanceWindow } from './maintenance.ts'
import { brokenMinutes, type BreakSpan } from './nps.ts'
import { shownState, type StoredState } from './run.ts'

// The public status page in customers' words: each public promise's state
// now, a 90-day history of daily states, incidents and maintenance ahead.
// Only what a customer may see: never a journey, an address, an owner, a
// screenshot or an internal note. Pure: the loader reads, this decides.

export const STATUS_DAYS = 90
const DAY_MS = 86_400_000

/** What customers are told of a promise now. */
export type PublicState = 'kept' | 'broken' | 'maintenance' | 'unchecked'

/**
 * A day of the history: kept (walked, never broken), partial (broken less
 * than an hour), broken (an hour or more), none (not walked).
 */
export type DayState = 'kept' | 'partial' | 'broken' | 'none'

export const PARTIAL_BELOW_MINUTES = 60

export const PUBLIC_STATE_WORDS: Record<PublicState, string> = {
  kept: 'Kept',
  broken: 'Broken',
  maintenance: 'Maintenance',
  unchecked: 'Not checked right now',
}

export interface StatusDay {
  /** YYYY-MM-DD, UTC. */
  date: string
  state: DayState
  brokenMinutes: number
}

/**
 * Kept while kept or at risk (a close time budget is still kept);
 * broken, unless a maintenance window covers it now; paused, pending or
 * overdue (no walk lately) is not checked: nobody knows.
 */
export function publicState(p: { paused: boolean; state: StoredState; overdueSince: Date | null }, inMaintenance: boolean): PublicState {
  const shown = shownState(p)
  if (shown === 'broken') return inMaintenance ? 'maintenance' : 'broken'
  if (shown === 'kept' || shown === 'at_risk') return 'kept'
  return 'unchecked'
}

/** The UTC days of the history, oldest first, ending today. */
export function statusDates(now: Date, days = STATUS_DAYS): string[] {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10))
}

/**
 * Each day's state: the minutes its breaks covered (less maintenance),
 * and whether it was walked at all.
 */
export function statusDays(input: {
  dates: string[]
  walked: ReadonlySet<string>
  breaks: readonly BreakSpan[]
  maintenance: readonly MaintenanceWindow[]
  now: Date
}): StatusDay[] {
  return input.dates.map((date) => {
    const start = new Date(`${date}T00:00:00Z`)
    const range: Interval = { start, end: new Date(start.getTime() + DAY_MS) }
    const minutes = input.breaks.length ? brokenMinutes(input.breaks, range, input.maintenance, input.now) : 0
    const state: DayState = minutes >= PARTIAL_BELOW_MINUTES ? 'broken' : minutes > 0 ? 'partial' : input.walked.has(date) ? 'kept' : 'none'
    return { date, state, brokenMinutes: Math.round(minutes) }
  })
}

/** Consecutive days of one state, for drawing: a kept quarter is one bar, not 90. */
export function dayRuns(days: readonly StatusDay[]): { from: number; count: number; state: DayState }[] {
  const out: { from: number; count: number; state: DayState }[] = []
  days.forEach((day, index) => {
    const last = out[out.length - 1]
    if (last && last.state === day.state) last.count++
    else out.push({ from: index, count: 1, state: day.state })
  })
  return out
}

/** The history in words, for screen readers and the bar's title. */
export function describeDays(days: readonly StatusDay[]): string {
  const walked = days.filter((d) => d.state !== 'none')
  if (walked.length === 0) return `Not checked in the last ${days.length} days`
  const bad = walked.filter((d) => d.state !== 'kept')
  if (bad.length === 0) return `Kept every day it was checked in the last ${days.length} days`
  const shown = bad
    .slice(-3)
    .reverse()
    .map((d) => `${shortDate(d.date)} (${formatDuration(d.brokenMinutes * 60_000)})`)
  return `Broken on ${bad.length} of the last ${days.length} days, most recently ${shown.join(', ')}`
}

export function shortDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`)
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** The page's headline: all kept, or how many are broken. */
export function summary(states: readonly PublicState[]): { state: PublicState; text: string } {
  const broken = states.filter((s) => s === 'broken').length
  const maintenance = states.filter((s) => s === 'maintenance').length
  if (states.length === 0) return { state: 'unchecked', text: 'No promise is published here yet.' }
  if (broken > 0) return { state: 'broken', text: broken === 1 ? '1 promise is broken right now.' : `${broken} promises are broken right now.` }
  if (maintenance > 0) return { state: 'maintenance', text: 'Maintenance is under way; every other promise is kept.' }
  if (states.every((s) => s === 'unchecked')) return { state: 'unchecked', text: 'Our promises are not being checked right now.' }
  return { state: 'kept', text: 'Every promise is kept.' }
}

/** "99.2 % kept" over the history, or null when nothing was counted. */
export function keptRateWords(kept: number, counted: number): string | null {
  return counted > 0 ? `${formatRate(kept / counted)} kept` : null
}

/** Whether a maintenance window covers the promise now. */
export function inMaintenance(windows: readonly MaintenanceWindow[], promiseId: string, at: Date): boolean {
  return activeWindow(windows, promiseId, at) !== null
}
