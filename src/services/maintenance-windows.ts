import { eq } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { maintenanceWindows, promises } from '../db/schema.ts'
import { recurrenceProblem, type MaintenanceWindow } from '../domain/maintenance.ts'

// The rules of a maintenance window that span its fields, for every door
// (the API and the Maintenance page): the same verdict, the same words.

export type WindowValues = Omit<MaintenanceWindow, 'id' | 'reason'> & { reason: string | null }

export interface WindowProblem {
  path: 'startsAt' | 'endsAt' | 'recurCron' | 'recurMinutes' | 'timezone' | 'promiseId' | 'reason'
  message: string
}

/** An end after the start, a cron pattern with its length, a known promise. */
export async function windowProblems(db: Db, values: WindowValues): Promise<WindowProblem[]> {
  const errors: WindowProblem[] = []
  if (values.endsAt <= values.startsAt) errors.push({ path: 'endsAt', message: 'expected a time after startsAt' })
  if ((values.recurCron === null) !== (values.recurMinutes === null)) {
    const path = values.recurCron === null ? 'recurCron' : 'recurMinutes'
    errors.push({ path, message: 'a recurring window needs both recurCron (when it starts) and recurMinutes (how long it lasts)' })
  }
  if (values.recurCron) {
    const problem = recurrenceProblem(values.recurCron, values.timezone)
    if (problem) errors.push({ path: problem.startsWith('unknown timezone') ? 'timezone' : 'recurCron', message: problem })
  }
  if (values.reason && values.reason.length > 500) errors.push({ path: 'reason', message: 'expected at most 500 characters' })
  if (values.promiseId) {
    const [found] = await db.select({ id: promises.id }).from(promises).where(eq(promises.id, values.promiseId))
    if (!found) errors.push({ path: 'promiseId', message: `no promise with id ${values.promiseId}` })
  }
  return errors
}

/** Ends a window now: a one-off one closes, a recurring series stops. */
export async function endWindowNow(db: Db, id: string, now = new Date()): Promise<boolean> {
  const [row] = await db.select().from(maintenanceWindows).where(eq(maintenanceWindows.id, id))
  if (!row) return false
  const endsAt = row.startsAt > now ? row.startsAt : now
  // A window not started yet is cancelled: it ends where it would have begun.
  await db.update(maintenanceWindows).set({ endsAt: row.endsAt < endsAt ? row.endsAt : endsAt }).where(eq(maintenanceWindows.id, id))
  return true
}
