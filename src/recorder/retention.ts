import { Queue, Worker } from 'bullmq'
import { lt, sql } from 'drizzle-orm'
import type { RedisClient } from '../infra/redis.ts'
import type { Db } from '../db/client.ts'
import { runRollups, runRollupsDaily, runs } from '../db/schema.ts'
import type { Logger } from '../infra/logger.ts'
import { QUEUES } from '../queue/jobs.ts'
import { fsEvidenceStore } from '../evidence/fs-store.ts'
import type { EvidenceStore } from '../evidence/store.ts'
import type { ScheduledPart } from '../queue/schedule-keeper.ts'
import { hourOf, refreshRollups } from './rollups.ts'

export const RETENTION_SCHEDULER_ID = 'kept:retention'
export const ROLLUP_RETENTION_DAYS = 400
const HOUR_MS = 3600_000
const DAY_MS = 24 * HOUR_MS

export interface PruneReport {
  runsDeleted: number
  hoursPruned: number
  rollupsDeleted: number
}

/**
 * Delete raw runs older than `retentionDays` (whole UTC hours, oldest
 * first, one hour per transaction), their evidence in the evidence store
 * (default `<dataDir>/evidence/<runId>`), and rollups older than 400
 * days. Each hour's rollup is recomputed from its raw runs in the same
 * transaction that deletes them, so the hour's figures survive the runs.
 * An hour's evidence goes before its runs: a store that fails stops the
 * prune (the next hour's job tries again) and leaves nothing behind.
 */
export async function pruneRuns(
  db: Db,
  options: { retentionDays: number; dataDir: string; evidence?: EvidenceStore; now?: Date },
): Promise<PruneReport> {
  const store = options.evidence ?? fsEvidenceStore(options.dataDir)
  const now = options.now ?? new Date()
  const cutoff = hourOf(new Date(now.getTime() - options.retentionDays * DAY_MS))
  const report: PruneReport = { runsDeleted: 0, hoursPruned: 0, rollupsDeleted: 0 }

  for (;;) {
    const [oldest] = await db
      .select({ at: sql<Date | null>`min(${runs.startedAt})`.mapWith(runs.startedAt) })
      .from(runs)
      .where(lt(runs.startedAt, cutoff))
    if (!oldest?.at) break
    const from = hourOf(oldest.at)
    const to = new Date(Math.min(from.getTime() + HOUR_MS, cutoff.getTime()))
    const inHour = sql`${runs.startedAt} >= ${from.toISOString()}::timestamptz and ${runs.startedAt} < ${to.toISOString()}::timestamptz`
    const inStore = await db.select({ id: runs.id }).from(runs).where(inHour)
    await store.deleteRuns(inStore.map((run) => run.id))
    const deleted = await db.transaction(async (tx) => {
      await refreshRollups(tx, { promiseId: null, from, to })
      return tx
        .delete(runs)
        .where(inHour)
        .returning({ id: runs.id })
    })
    report.runsDeleted += deleted.length
    report.hoursPruned++
  }

  const oldRollups = await db
    .delete(runRollups)
    .where(lt(runRollups.hour, new Date(now.getTime() - ROLLUP_RETENTION_DAYS * DAY_MS)))
    .returning({ hour: runRollups.hour })
  report.rollupsDeleted = oldRollups.length
  await db.delete(runRollupsDaily).where(lt(runRollupsDaily.day, new Date(now.getTime() - ROLLUP_RETENTION_DAYS * DAY_MS).toISOString().slice(0, 10)))
  return report
}

export interface RetentionOptions {
  connection: RedisClient
  prefix: string
  db: Db
  retentionDays: number
  dataDir: string
  evidence?: EvidenceStore
  logger?: Logger
}

/** An hourly job (scheduler `kept:retention` on the "maintenance" queue) that runs pruneRuns. */
export async function startRetention(options: RetentionOptions): Promise<ScheduledPart> {
  const { connection, prefix, db, logger } = options
  const queue = new Queue(QUEUES.maintenance, { connection, prefix })
  const schedule = async () => {
    await queue.upsertJobScheduler(
      RETENTION_SCHEDULER_ID,
      { pattern: '17 * * * *' },
      { name: 'retention', opts: { removeOnComplete: { count: 48 }, removeOnFail: { count: 48 } } },
    )
  }
  await schedule()
  const worker = new Worker(
    QUEUES.maintenance,
    async (job) => {
      if (job.name !== 'retention') return null
      const report = await pruneRuns(db, { retentionDays: options.retentionDays, dataDir: options.dataDir, ...(options.evidence ? { evidence: options.evidence } : {}) })
      logger?.info(report, 'retention done')
      return report
    },
    { connection, prefix, concurrency: 1 },
  )
  worker.on('error', (error) => logger?.error({ err: error }, 'retention worker error'))
  return {
    schedule,
    async close() {
      await worker.close()
      await queue.close()
    },
  }
}
