import { createHash, randomUUID } from 'node:crypto'
import type { JobSchedulerJson } from 'bullmq'
import type { RedisClient } from '../infra/redis.ts'
import { and, eq, isNotNull, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { promises } from '../db/schema.ts'
import type { Logger } from '../infra/logger.ts'
import { MIN_INTERVAL_SECONDS } from '../domain/promise-limits.ts'
import { JOURNEY_JOB, enqueueRun, type JourneyQueue } from './enqueue.ts'
import type { JourneyJob } from './jobs.ts'
import { JOURNEY_JOB_OPTIONS } from './options.ts'
import type { PromiseScheduler } from './scheduler-port.ts'
import { buildSpec, loadSecrets, specFromRow, type PromiseRow } from './spec.ts'

/** How long a walk asked for counts as "walking now" when no result comes (a lost job). */
const WALKING_TTL_SECONDS = 600
const SCHEDULER_PREFIX = 'promise:'

export type Repeat = { every: number; offset: number } | { pattern: string; tz: string }

/** The stable BullMQ job scheduler id of a promise. */
export function schedulerId(promiseId: string): string {
  return SCHEDULER_PREFIX + promiseId
}

/** A number in [0, n) fixed by the promise id: spreads start times. */
function jitter(promiseId: string, n: number): number {
  return createHash('sha1').update(promiseId).digest().readUInt32BE(0) % n
}

/**
 * When a promise runs, or null if it has no schedule. Intervals below 30 s
 * are raised to 30 s. Equal intervals start at different moments: the
 * offset inside the interval (never 0, which BullMQ reads as "now") and,
 * for 5-field cron patterns, the second, both come from the promise id.
 */
export function repeatFor(
  row: Pick<PromiseRow, 'id' | 'scheduleEverySeconds' | 'scheduleCron' | 'scheduleTimezone'>,
  defaultTimezone = 'UTC',
): Repeat | null {
  if (row.scheduleEverySeconds != null) {
    const every = Math.max(MIN_INTERVAL_SECONDS, row.scheduleEverySeconds) * 1000
    return { every, offset: 1 + jitter(row.id, every - 1) }
  }
  if (row.scheduleCron) {
    const fields = row.scheduleCron.trim().split(/\s+/)
    const pattern = fields.length === 5 ? `${jitter(row.id, 60)} ${fields.join(' ')}` : fields.join(' ')
    return { pattern, tz: row.scheduleTimezone ?? defaultTimezone }
  }
  return null
}

export interface SchedulerOptions {
  db: Db
  /** The "journeys" queue. */
  queue: JourneyQueue
  /** Time zone of cron schedules that name none (KEPT_TIMEZONE). */
  timezone?: string
  logger?: Logger
  /** Where "walking now" marks are kept (the queue's Redis); without it, walks are not tracked. */
  redis?: RedisClient
  /** The queue's key prefix, for those marks. */
  prefix?: string
}

/** Promise schedulers Postgres expects (active promises with a schedule) and Redis holds. */
export interface ScheduleCounts {
  expected: number
  present: number
}

export interface ReconcileReport {
  upserted: number
  removed: number
  unchanged: number
}

/** Keeps one BullMQ job scheduler per active promise, id `promise:<id>`. */
export class Scheduler implements PromiseScheduler {
  constructor(private readonly options: SchedulerOptions) {}

  async sync(promiseId: string, options: { walkNow?: boolean } = {}): Promise<void> {
    const row = await this.load(promiseId)
    const repeat = row && !row.paused ? repeatFor(row, this.options.timezone) : null
    if (!row || !repeat) await this.remove(promiseId)
    else await this.upsert(row, repeat, await buildSpec(this.options.db, row))
    if (row && !row.paused && options.walkNow) await this.runNow(promiseId)
  }

  async remove(promiseId: string): Promise<void> {
    await this.options.queue.removeJobScheduler(schedulerId(promiseId))
  }

  async runNow(promiseId: string): Promise<string> {
    const row = await this.load(promiseId)
    if (!row) throw new Error(`promiseId: no promise with id ${promiseId}`)
    const runId = randomUUID()
    await enqueueRun(this.options.queue, await buildSpec(this.options.db, row), {
      jobId: runId,
      runId,
      trigger: 'manual',
    })
    // Read by the promise page to say "walking now" until the run is recorded.
    await this.options.redis?.set(this.walkingKey(promiseId), runId, 'EX', WALKING_TTL_SECONDS)
    return runId
  }

  async walking(promiseId: string): Promise<string | null> {
    return (await this.options.redis?.get(this.walkingKey(promiseId))) ?? null
  }

  async nextWalkAt(promiseId: string): Promise<Date | null> {
    const scheduler = await this.options.queue.getJobScheduler(schedulerId(promiseId))
    return scheduler?.next ? new Date(scheduler.next) : null
  }

  /** A key of the queue's own prefix: `<prefix>:walking:<promiseId>`. */
  private walkingKey(promiseId: string): string {
    return `${this.options.prefix ?? 'kept'}:walking:${promiseId}`
  }

  /**
   * Walk a promise that has never run once now, instead of after its first
   * interval. The job id is the same for every call, so restarts before it
   * ran do not pile up runs; the run id derives from it like a scheduled one.
   */
  async runFirst(promiseId: string): Promise<void> {
    const row = await this.load(promiseId)
    if (!row || row.paused || row.lastRunAt) return
    await enqueueRun(this.options.queue, await buildSpec(this.options.db, row), { jobId: `first-${promiseId}`, trigger: 'schedule' })
  }

  /**
   * Make Redis match the promises table: upsert missing or changed
   * schedulers, remove `promise:` schedulers no active promise backs.
   * Idempotent; other schedulers on the queue are left alone.
   */
  async reconcile(): Promise<ReconcileReport> {
    const { db, queue } = this.options
    const [rows, allSecrets, existing] = await Promise.all([
      db.select().from(promises).where(eq(promises.paused, false)),
      loadSecrets(db, null),
      queue.getJobSchedulers(0, -1),
    ])
    const byId = new Map(existing.filter((s) => s.key.startsWith(SCHEDULER_PREFIX)).map((s) => [s.key, s]))
    const report: ReconcileReport = { upserted: 0, removed: 0, unchanged: 0 }
    const work: (() => Promise<unknown>)[] = []

    for (const row of rows) {
      const repeat = repeatFor(row, this.options.timezone)
      if (!repeat) continue
      const id = schedulerId(row.id)
      const current = byId.get(id)
      byId.delete(id)
      const spec = specFromRow(row, allSecrets)
      if (current && sameSchedule(current, repeat, { spec, trigger: 'schedule' })) {
        report.unchanged++
        continue
      }
      report.upserted++
      work.push(() => this.upsert(row, repeat, spec))
    }
    for (const id of byId.keys()) {
      report.removed++
      work.push(() => queue.removeJobScheduler(id))
    }
    await inBatches(work, 100)
    this.options.logger?.info(report, 'schedules reconciled')
    return report
  }

  /** Two counts, cheap at any size; the journeys queue holds no scheduler but the promises'. */
  async counts(): Promise<ScheduleCounts> {
    const [[row], present] = await Promise.all([
      this.options.db
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(promises)
        .where(and(eq(promises.paused, false), or(isNotNull(promises.scheduleEverySeconds), sql`coalesce(${promises.scheduleCron}, '') <> ''`))),
      this.options.queue.getJobSchedulersCount(),
    ])
    return { expected: row?.n ?? 0, present }
  }

  private async upsert(row: PromiseRow, repeat: Repeat, spec: JourneyJob['spec']): Promise<void> {
    const data: JourneyJob = { spec, trigger: 'schedule' }
    await this.options.queue.upsertJobScheduler(schedulerId(row.id), repeat, {
      name: JOURNEY_JOB,
      data,
      opts: JOURNEY_JOB_OPTIONS,
    })
  }

  private async load(promiseId: string): Promise<PromiseRow | undefined> {
    const [row] = await this.options.db.select().from(promises).where(eq(promises.id, promiseId))
    return row
  }
}

function sameSchedule(current: JobSchedulerJson<JourneyJob>, repeat: Repeat, data: JourneyJob): boolean {
  const sameRepeat =
    'every' in repeat
      ? current.every === repeat.every && current.offset === repeat.offset && !current.pattern
      : current.pattern === repeat.pattern && current.tz === repeat.tz && !current.every
  return sameRepeat && current.name === JOURNEY_JOB && JSON.stringify(current.template?.data) === JSON.stringify(data)
}

async function inBatches(work: (() => Promise<unknown>)[], size: number): Promise<void> {
  for (let i = 0; i < work.length; i += size) {
    await Promise.all(work.slice(i, i + size).map((run) => run()))
  }
}
