import { subtractWindows, type Interval, type MaintenanceWindow } from './maintenance.ts'

// The NPS-risk model (docs: "NPS-risk model"). Pure, and kept at full
// precision: figures are rounded only where they are shown.
//
//   broken minutes      = time covered by breaks inside the week, less maintenance
//   affected customers  = dailyCustomers × broken minutes / 1440
//   likely detractors   = affected customers × detractorRate
//   NPS points at risk  = 100 × likely detractors / (dailyCustomers × 7)

export const MINUTES_PER_DAY = 1440
export const DAYS_PER_WEEK = 7

export interface BreakSpan {
  openedAt: Date
  /** null while the break is open. */
  resolvedAt: Date | null
  /** The region whose walks it broke in (a break belongs to one region). */
  region?: string
}

export interface NpsRisk {
  brokenMinutes: number
  affectedCustomers: number
  likelyDetractors: number
  npsPointsAtRisk: number
}

/**
 * The intervals of the range covered by breaks: clipped to the range,
 * open breaks running until min(now, range end), overlaps merged, and the
 * maintenance windows (those of this promise) cut out.
 */
export function brokenIntervals(
  breaks: readonly BreakSpan[],
  range: Interval,
  maintenance: readonly MaintenanceWindow[],
  now: Date,
): Interval[] {
  const until = Math.min(range.end.getTime(), now.getTime())
  const clipped: Interval[] = []
  for (const { openedAt, resolvedAt } of breaks) {
    const start = Math.max(openedAt.getTime(), range.start.getTime())
    const end = Math.min(resolvedAt?.getTime() ?? Infinity, until)
    if (end > start) clipped.push({ start: new Date(start), end: new Date(end) })
  }
  return subtractWindows(mergeIntervals(clipped), maintenance)
}

/** Minutes (fractional) of the range covered by breaks; see brokenIntervals. */
export function brokenMinutes(
  breaks: readonly BreakSpan[],
  range: Interval,
  maintenance: readonly MaintenanceWindow[],
  now: Date,
): number {
  const ms = brokenIntervals(breaks, range, maintenance, now).reduce(
    (sum, { start, end }) => sum + (end.getTime() - start.getTime()),
    0,
  )
  return ms / 60_000
}

export function npsRisk(promise: { dailyCustomers: number; detractorRate: number }, minutes: number): NpsRisk {
  const affectedCustomers = (promise.dailyCustomers * minutes) / MINUTES_PER_DAY
  const likelyDetractors = affectedCustomers * promise.detractorRate
  const weeklyCustomers = promise.dailyCustomers * DAYS_PER_WEEK
  const npsPointsAtRisk = weeklyCustomers > 0 ? (100 * likelyDetractors) / weeklyCustomers : 0
  return { brokenMinutes: minutes, affectedCustomers, likelyDetractors, npsPointsAtRisk }
}

/** NPS points at risk over all promises, weighted by their daily customers. */
export function totalNpsPointsAtRisk(
  items: readonly { dailyCustomers: number; likelyDetractors: number }[],
): number {
  let detractors = 0
  let weeklyCustomers = 0
  for (const item of items) {
    detractors += item.likelyDetractors
    weeklyCustomers += item.dailyCustomers * DAYS_PER_WEEK
  }
  return weeklyCustomers > 0 ? (100 * detractors) / weeklyCustomers : 0
}

/** Sorted, non-overlapping intervals covering the same time. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start.getTime() - b.start.getTime())
  const merged: Interval[] = []
  for (const interval of sorted) {
    const last = merged[merged.length - 1]
    if (last && interval.start <= last.end) {
      if (interval.end > last.end) last.end = interval.end
    } else {
      merged.push({ start: interval.start, end: interval.end })
    }
  }
  return merged
}
