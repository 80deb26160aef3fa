import type { Db } from '../db/client.ts'
import { computeDigest, type DigestFigures } from '../domain/digest.ts'
import { previousWeek, WeekError, weekOf, weekRange } from '../domain/week.ts'
import { loadDigestInput } from './load.ts'

/** The week that ended last, as seen in the zone: the digest a Monday morning sends. */
export function lastWeek(now: Date, timezone: string): string {
  return previousWeek(weekOf(now, timezone))
}

/**
 * The figures of a week that has started (a week not over yet counts until
 * now). A week still to come is refused with a WeekError naming `week`.
 */
export async function buildDigestFigures(
  db: Db,
  options: { week: string; timezone: string; now: Date },
): Promise<DigestFigures> {
  const range = weekRange(options.week, options.timezone)
  if (range.start > options.now) {
    throw new WeekError('week', `expected a week that has started, got "${options.week}" (the last one is ${lastWeek(options.now, options.timezone)})`)
  }
  return computeDigest(await loadDigestInput(db, options))
}
