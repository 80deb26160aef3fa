import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { breaks } from '../db/schema.ts'
import { cancelPendingReminders } from './tick.ts'

/**
 * Someone owns the break: record who and when (the first acknowledgement
 * stands) and stop its reminders, the queued ones included. Returns the
 * break, or null when there is no such break.
 */
export async function acknowledgeBreak(db: Db, breakId: string, by: string, at: Date = new Date()) {
  await db
    .update(breaks)
    .set({ acknowledgedAt: at, acknowledgedBy: by })
    .where(and(eq(breaks.id, breakId), isNull(breaks.acknowledgedAt)))
  const [brk] = await db.select().from(breaks).where(eq(breaks.id, breakId))
  if (!brk) return null
  await cancelPendingReminders({ db }, breakId)
  return brk
}
