import { CronExpressionParser } from 'cron-parser'

// Maintenance windows: runs go on, alerts wait. A one-off window covers
// [startsAt, endsAt). A recurring window starts at each time its cron
// pattern names (in its timezone) and lasts recurMinutes; startsAt and
// endsAt then bound the whole series.

export interface MaintenanceWindow {
  id: string
  /** null: every promise. */
  promiseId: string | null
  startsAt: Date
  endsAt: Date
  recurCron: string | null
  recurMinutes: number | null
  timezone: string | null
  reason?: string | null
}

export interface Interval {
  start: Date
  end: Date
}

/** The window in force, with the bounds of its current occurrence. */
export interface ActiveWindow<W extends MaintenanceWindow = MaintenanceWindow> {
  window: W
  from: Date
  until: Date
}

export function appliesTo(window: MaintenanceWindow, promiseId: string): boolean {
  return window.promiseId === null || window.promiseId === promiseId
}

export function isRecurring(window: MaintenanceWindow): boolean {
  return Boolean(window.recurCron && window.recurMinutes)
}

/**
 * The window holding alerts of this promise at this time, or null. When
 * several overlap, the one that lasts longest wins, so alerts are released
 * once, when the last of them ends.
 */
export function activeWindow<W extends MaintenanceWindow>(
  windows: readonly W[],
  promiseId: string,
  at: Date,
): ActiveWindow<W> | null {
  let best: ActiveWindow<W> | null = null
  for (const window of windows) {
    if (!appliesTo(window, promiseId)) continue
    const occurrence = occurrenceAt(window, at)
    if (occurrence && (!best || occurrence.end > best.until)) {
      best = { window, from: occurrence.start, until: occurrence.end }
    }
  }
  return best
}

/** The occurrence of this window that covers `at`, or null. */
export function occurrenceAt(window: MaintenanceWindow, at: Date): Interval | null {
  if (at < window.startsAt || at >= window.endsAt) return null
  if (!isRecurring(window)) return { start: window.startsAt, end: window.endsAt }
  // The latest start at or before `at` (prev() is strict, hence +1 ms).
  const pattern = CronExpressionParser.parse(window.recurCron!, {
    currentDate: new Date(at.getTime() + 1),
    tz: window.timezone ?? 'UTC',
  })
  if (!pattern.hasPrev()) return null
  const start = pattern.prev().toDate()
  const occurrence = clip({ start, end: new Date(start.getTime() + window.recurMinutes! * 60_000) }, window)
  return occurrence && at >= occurrence.start && at < occurrence.end ? occurrence : null
}

// A safety bound on cron expansion: a per-minute pattern over a long report.
const MAX_OCCURRENCES = 50_000

/** Every occurrence of the window overlapping [from, to), clipped to the series bounds. */
export function occurrences(window: MaintenanceWindow, from: Date, to: Date): Interval[] {
  if (to <= window.startsAt || from >= window.endsAt) return []
  if (!isRecurring(window)) {
    const single = clip({ start: window.startsAt, end: window.endsAt }, window)
    return single ? [single] : []
  }
  const lengthMs = window.recurMinutes! * 60_000
  const first = new Date(Math.max(from.getTime() - lengthMs, window.startsAt.getTime()) - 1)
  const pattern = CronExpressionParser.parse(window.recurCron!, { currentDate: first, tz: window.timezone ?? 'UTC' })
  const out: Interval[] = []
  while (out.length < MAX_OCCURRENCES && pattern.hasNext()) {
    const start = pattern.next().toDate()
    if (start >= to || start >= window.endsAt) break
    const occurrence = clip({ start, end: new Date(start.getTime() + lengthMs) }, window)
    if (occurrence && occurrence.end > from) out.push(occurrence)
  }
  return out
}

/**
 * The parts of the intervals outside every window: broken time that
 * counts in reports. Windows should already be those of the promise
 * (see appliesTo). Output is sorted and non-overlapping per input interval.
 */
export function subtractWindows(intervals: readonly Interval[], windows: readonly MaintenanceWindow[]): Interval[] {
  const out: Interval[] = []
  for (const interval of intervals) {
    if (interval.end <= interval.start) continue
    const holes = windows
      .flatMap((window) => occurrences(window, interval.start, interval.end))
      .sort((a, b) => a.start.getTime() - b.start.getTime())
    let cursor = interval.start
    for (const hole of holes) {
      if (hole.start > cursor) out.push({ start: cursor, end: hole.start < interval.end ? hole.start : interval.end })
      if (hole.end > cursor) cursor = hole.end
      if (cursor >= interval.end) break
    }
    if (cursor < interval.end) out.push({ start: cursor, end: interval.end })
  }
  return out
}

/** Why a cron pattern or timezone is unusable, or null when it is fine. */
export function recurrenceProblem(recurCron: string, timezone: string | null): string | null {
  if (timezone && !isTimezone(timezone)) return `unknown timezone "${timezone}", expected an IANA name like Europe/Paris`
  try {
    CronExpressionParser.parse(recurCron, { tz: timezone ?? 'UTC' }).next()
    return null
  } catch (error) {
    return `invalid cron pattern: ${(error as Error).message}`
  }
}

export function isTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name })
    return true
  } catch {
    return false
  }
}

function clip(interval: Interval, window: MaintenanceWindow): Interval | null {
  const start = interval.start < window.startsAt ? window.startsAt : interval.start
  const end = interval.end > window.endsAt ? window.endsAt : interval.end
  return end > start ? { start, end } : null
}
