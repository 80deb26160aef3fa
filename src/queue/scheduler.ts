import { createHash, randomUUID } from 'node:crypto'
import type { JobSchedulerJson } from 'bullmq'
import type { RedisClient } from '../infra/redis.ts'
import { and, eq, isNotNull, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { promises } from '../db/schema.ts'
import type { Logger } from '../infra/logger.ts'
import { MIN_INTERVAL_SECONDS } from '../domain/promise-limits.ts'
import { DEFAULT_REGION } from '../domain/region.ts'
import { JOURNEY_JOB, enqueueRun, type JourneyQueue } from './enqueue.ts'
import { JourneyQueues } from './journey-queues.ts'
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
  /** The region local's queue ("journeys"); the other regions' open on the same connection and prefix. */
  queue: JourneyQueue
  /** Every region's queue; default: around `queue`. */
  queues?: JourneyQueues
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

/**
 * Keeps one BullMQ job scheduler per active promise and region, id
 * `promise:<id>` on each region's queue (src/queue/journey-queues.ts).
 * The regions ever scheduled are remembered in Redis (`<prefix>:regions`),
 * so a region a promise leaves loses its scheduler too.
 */
export class Scheduler implements PromiseScheduler {
  private readonly queues: JourneyQueues

  constructor(private readonly options: SchedulerOptions) {
    this.queues = options.queues ?? JourneyQueues.around(options.queue)
  }

  async sync(promiseId: string, options: { walkNow?: boolean } = {}): Promise<void> {
    const row = await this.load(promiseId)
    const repeat = row && !row.paused ? repeatFor(row, this.options.timezone) : null
    if (!row || !repeat) await this.remove(promiseId)
    else {
      const spec = await buildSpec(this.options.db, row)
      await this.rememberRegions(row.regions)
      await Promise.all(row.regions.map((region) => this.upsert(region, row, repeat, spec)))
      const left = (await this.knownRegions()).filter((region) => !row.regions.includes(region))
      await Promise.all(left.map((region) => this.queues.of(region).removeJobScheduler(schedulerId(promiseId))))
    }
    if (row && !row.paused && options.walkNow) await this.runNow(promiseId)
  }

  async remove(promiseId: string): Promise<void> {
    await Promise.all((await this.knownRegions()).map((region) => this.queues.of(region).removeJobScheduler(schedulerId(promiseId))))
  }

  /** One run in every region of the promise; returns the first region's run id. */
  async runNow(promiseId: string): Promise<string> {
    const row = await this.load(promiseId)
    if (!row) throw new Error(`promiseId: no promise with id ${promiseId}`)
    const spec = await buildSpec(this.options.db, row)
    const runIds = await Promise.all(
      row.regions.map(async (region) => {
        const runId = randomUUID()
        await enqueueRun(this.queues.of(region), spec, { jobId: runId, runId, trigger: 'manual' })
        return runId
      }),
    )
    // Read by the promise page to say "walking now" until the run is recorded.
    await this.options.redis?.set(this.walkingKey(promiseId), runIds[0]!, 'EX', WALKING_TTL_SECONDS)
    return runIds[0]!
  }

  /** The regions whose queues may hold schedulers of Kept's: every one ever scheduled, and the region local. */
  async knownRegions(): Promise<string[]> {
    const remembered = this.options.redis ? await this.options.redis.smembers(this.regionsKey()) : []
    return [...new Set([DEFAULT_REGION, ...remembered, ...this.queues.opened().map((q) => q.region)])].sort()
  }

  private async rememberRegions(regions: readonly string[]): Promise<void> {
    const fresh = regions.filter((region) => region !== DEFAULT_REGION)
    if (fresh.length > 0) await this.options.redis?.sadd(this.regionsKey(), ...fresh)
  }

  /** `<prefix>:regions`: the regions ever scheduled (their queues may hold schedulers). */
  private regionsKey(): string {
    return `${this.options.prefix ?? 'kept'}:regions`
  }

  async walking(promiseId: string): Promise<string | null> {
    return (await this.options.redis?.get(this.walkingKey(promiseId))) ?? null
  }

  async nextWalkAt(promiseId: string): Promise<Date | null> {
    const row = await this.load(promiseId)
    const nexts = await Promise.all((row?.regions ?? [DEFAULT_REGION]).map((region) => this.queues.of(region).getJobScheduler(schedulerId(promiseId))))
    const times = nexts.flatMap((scheduler) => (scheduler?.next ? [scheduler.next] : []))
    return times.length > 0 ? new Date(Math.min(...times)) : null
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
    const spec = await buildSpec(this.options.db, row)
    await Promise.all(row.regions.map((region) => enqueueRun(this.queues.of(region), spec, { jobId: `first-${promiseId}`, trigger: 'schedule' })))
  }

  /**
   * Make Redis match the promises table: upsert missing or changed
   * schedulers, remove `promise:` schedulers no active promise backs.
   * Idempotent; other schedulers on the queue are left alone.
   */
  async reconcile(): Promise<ReconcileReport> {
    const { db } = this.options
    const [rows, allSecrets] = await Promise.all([db.select().from(promises).where(eq(promises.paused, false)), loadSecrets(db, null)])
    await this.rememberRegions([...new Set(rows.flatMap((row) => row.regions))])
    const regions = await this.knownRegions()
    const existing = await Promise.all(regions.map((region) => this.queues.of(region).getJobSchedulers(0, -1)))
    // `<region> <scheduler id>` of every promise scheduler Redis holds.
    const byId = new Map(
      regions.flatMap((region, i) => existing[i]!.filter((s) => s.key.startsWith(SCHEDULER_PREFIX)).map((s): [string, JobSchedulerJson<JourneyJob>] => [`${region} ${s.key}`, s])),
    )
    const report: ReconcileReport = { upserted: 0, removed: 0, unchanged: 0 }
    const work: (() => Promise<unknown>)[] = []

    for (const row of rows) {
      const repeat = repeatFor(row, this.options.timezone)
      if (!repeat) continue
      const spec = specFromRow(row, allSecrets)
      for (const region of row.regions) {
        const key = `${region} ${schedulerId(row.id)}`
        const current = byId.get(key)
        byId.delete(key)
        if (current && sameSchedule(current, repeat, { spec, trigger: 'schedule' })) {
          report.unchanged++
          continue
        }
        report.upserted++
        work.push(() => this.upsert(region, row, repeat, spec))
      }
    }
    for (const key of byId.keys()) {
      report.removed++
      const [region, id] = key.split(' ') as [string, string]
      work.push(() => this.queues.of(region).removeJobScheduler(id))
    }
    await inBatches(work, 100)
    this.options.logger?.info(report, 'schedules reconciled')
    return report
  }

  /** Two counts, cheap at any size: one scheduler per promise and region; journeys queues hold no other. */
  async counts(): Promise<ScheduleCounts> {
    const [[row], regions] = await Promise.all([
      this.options.db
        .select({ n: sql<number>`coalesce(sum(jsonb_array_length(${promises.regions})), 0)`.mapWith(Number) })
        .from(promises)
        .where(and(eq(promises.paused, false), or(isNotNull(promises.scheduleEverySeconds), sql`coalesce(${promises.scheduleCron}, '') <> ''`))),
      this.knownRegions(),
    ])
    const present = await Promise.all(regions.map((region) => this.queues.of(region).getJobSchedulersCount()))
    return { expected: row?.n ?? 0, present: present.reduce((a, b) => a + b, 0) }
  }

  private async upsert(region: string, row: PromiseRow, repeat: Repeat, spec: JourneyJob['spec']): Promise<void> {
    const data: JourneyJob = { spec, trigger: 'schedule' }
    await this.queues.of(region).upsertJobScheduler(schedulerId(row.id), repeat, {
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
