import { and, gt, lte } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { maintenanceWindows } from '../db/schema.ts'
import { activeWindow, type ActiveWindow, type MaintenanceWindow } from '../domain/maintenance.ts'

/** The windows whose series spans `at`; activeWindow then picks the one of a promise. */
export async function windowsAt(db: Db, at: Date): Promise<MaintenanceWindow[]> {
  return db
    .select()
    .from(maintenanceWindows)
    .where(and(lte(maintenanceWindows.startsAt, at), gt(maintenanceWindows.endsAt, at)))
}

/** A small helper for a batch: "is this promise in maintenance now?" with one query. */
export async function maintenanceCheck(db: Db, at: Date): Promise<(promiseId: string) => ActiveWindow | null> {
  const windows = await windowsAt(db, at)
  return (promiseId) => activeWindow(windows, promiseId, at)
}
