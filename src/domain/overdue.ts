import { CronExpressionParser } from 'cron-parser'

// A promise nobody walks is not kept: its last verdict is old news. When the
// second walk its schedule expected after the last one has not come (plus a
// minute for the walk itself), the promise is "overdue" on every page, and its
// tech owner hears of it once.

/** How a promise is walked: every N ms, or by a cron pattern in a time zone. */
export type WalkSchedule = { everyMs: number } | { pattern: string; tz: string }

/** Time a walk may take to be recorded after its slot. */
export const OVERDUE_GRACE_MS = 60_000
/** Walks missed before a promise is overdue. */
export const OVERDUE_AFTER_WALKS = 2

/**
 * The moment a promise becomes overdue when no walk comes after `since`
 * (its last walk, or when it was last scheduled): the second expected
 * walk after it, plus the grace. Null when the schedule expects no walk.
 */
export function overdueAt(schedule: WalkSchedule, since: Date): Date | null {
  if ('everyMs' in schedule) return new Date(since.getTime() + OVERDUE_AFTER_WALKS * schedule.everyMs + OVERDUE_GRACE_MS)
  let expression
  try {
    expression = CronExpressionParser.parse(schedule.pattern, { tz: schedule.tz, currentDate: since })
  } catch {
    return null // a pattern no door lets in; nothing to expect of it
  }
  let slot: Date | null = null
  for (let i = 0; i < OVERDUE_AFTER_WALKS; i += 1) {
    if (!expression.hasNext()) return null
    slot = expression.next().toDate()
  }
  return slot ? new Date(slot.getTime() + OVERDUE_GRACE_MS) : null
}

/** The later of the last walk and the last change of the promise: what "no walk since" counts from. */
export function noWalkSince(lastWalkAt: Date | null, changedAt: Date): Date {
  return lastWalkAt && lastWalkAt > changedAt ? lastWalkAt : changedAt
}
