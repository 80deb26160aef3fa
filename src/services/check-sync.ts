import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { DEFAULT_REGION } from '../domain/region.ts'
import { and, eq, isNotNull, notInArray } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { meta, promises } from '../db/schema.ts'
import { walksNow } from '../domain/walk-now.ts'
import { listCheckFiles, loadCheck } from '../runner/checks.ts'

export interface CheckSyncReport {
  /** Ids of promises created or updated from a check file. */
  synced: string[]
  /** Ids of check promises paused because their file is gone. */
  paused: string[]
  /**
   * Ids of check promises that changed what a walk measures (the file's
   * text, budgets or device) or came back from a pause: walked at once.
   */
  walkNow: string[]
  /** Files that failed to load or validate; their promises are left as they were. */
  errors: { file: string; message: string }[]
}

/**
 * Monitoring as code: every checks/*.check.ts becomes (or updates) a
 * promise keyed by its file name. A file that fails to load leaves its
 * promise untouched; a file that disappeared pauses its promise rather
 * than deleting its history.
 */
export async function syncChecks(db: Db, dir: string, opts: { demo: boolean; defaultRegion?: string }): Promise<CheckSyncReport> {
  const report: CheckSyncReport = { synced: [], paused: [], errors: [], walkNow: [] }
  const files = await listCheckFiles(dir)
  const seen: string[] = []
  for (const file of files) {
    const checkFile = path.basename(file)
    seen.push(checkFile)
    let def
    try {
      def = await loadCheck(file)
    } catch (error) {
      report.errors.push({ file: checkFile, message: error instanceof Error ? error.message : String(error) })
      continue
    }
    // Example checks that walk the demo shop only run alongside the demo.
    const paused = def.demo === true && !opts.demo
    const schedule = def.schedule ?? { everySeconds: 300 }
    const values = {
      title: def.title,
      description: def.description ?? null,
      source: 'check' as const,
      checkFile,
      journey: '',
      budgets: def.budgets ?? {},
      scheduleEverySeconds: 'everySeconds' in schedule ? schedule.everySeconds : null,
      scheduleCron: 'cron' in schedule ? schedule.cron : null,
      scheduleTimezone: 'cron' in schedule ? (schedule.timezone ?? null) : null,
      dailyCustomers: def.dailyCustomers ?? 0,
      detractorRate: def.detractorRate ?? 0.25,
      device: def.device ?? 'desktop',
      marketingOwner: def.marketingOwner ?? null,
      techOwner: def.techOwner ?? null,
      claimUrl: def.claimUrl ?? null,
      // Not checked against live workers: a check file loads at start, before workers announce themselves.
      regions: def.regions ?? [opts.defaultRegion ?? DEFAULT_REGION],
      public: def.public ?? false,
      publicTitle: def.publicTitle ?? null,
      paused,
      updatedAt: new Date(),
    }
    const [before] = await db.select().from(promises).where(eq(promises.checkFile, checkFile))
    const hash = createHash('sha256').update(await readFile(file)).digest('hex')
    const hashKey = `check-hash:${checkFile}`
    const [stored] = await db.select({ value: meta.value }).from(meta).where(eq(meta.key, hashKey))
    const [row] = await db
      .insert(promises)
      .values(values)
      .onConflictDoUpdate({ target: promises.checkFile, set: values })
      .returning({ id: promises.id })
    if (!row) continue
    report.synced.push(row.id)
    await db
      .insert(meta)
      .values({ key: hashKey, value: hash })
      .onConflictDoUpdate({ target: meta.key, set: { value: hash, updatedAt: new Date() } })
    const textChanged = stored !== undefined && stored.value !== hash
    if (before && (textChanged || walksNow(before, { ...values, checkFile }))) report.walkNow.push(row.id)
  }
  const gone = await db
    .update(promises)
    .set({ paused: true, updatedAt: new Date() })
    .where(
      and(
        eq(promises.source, 'check'),
        isNotNull(promises.checkFile),
        eq(promises.paused, false),
        seen.length > 0 ? notInArray(promises.checkFile, seen) : undefined,
      ),
    )
    .returning({ id: promises.id })
  report.paused = gone.map((g) => g.id)
  return report
}
