import type { RedisClient } from '../infra/redis.ts'
import type { Logger } from '../infra/logger.ts'
import type { ReconcileReport, ScheduleCounts } from './scheduler.ts'

/** A part of Kept that keeps a BullMQ job scheduler of its own (alert tick, digest, retention). */
export interface ScheduledPart {
  /** Upsert its scheduler: idempotent. */
  schedule(): Promise<void>
  close(): Promise<void>
}

export interface ScheduleKeeperOptions {
  scheduler: { reconcile(): Promise<ReconcileReport>; counts(): Promise<ScheduleCounts> }
  redis: RedisClient
  prefix: string
  /** The other parts whose schedulers a wiped Redis lost too. */
  parts: readonly ScheduledPart[]
  /** How often Redis is checked (KEPT_SCHEDULE_CHECK_SECONDS). */
  everyMs: number
  /** A full reconcile this often even when nothing looks wrong. */
  fullEveryMs?: number
  /** Runs after each check, at most this often (the overdue pass). */
  after?: { run(): Promise<unknown>; everyMs: number }
  logger?: Logger
}

export interface KeeperCheck extends ScheduleCounts {
  /** The marker key was gone: RedisClient lost its data since the last check. */
  wiped: boolean
  /** Schedulers were reconciled in this check. */
  reconciled: ReconcileReport | null
}

/**
 * Keeps the job schedulers in Redis while Kept runs, not only at start: a
 * Redis restarted without persistence (or flushed) has lost every one, and
 * nothing else would put them back. Each check reads a marker key Kept
 * writes: when it is gone, Redis lost its data, and all schedulers are
 * upserted again; when the promise schedulers do not number what Postgres
 * expects, they are reconciled. Cheap enough to run every few seconds: two
 * counts and a GET (a full reconcile of 10k unchanged promises is ~0.5 s).
 */
export class ScheduleKeeper {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<unknown> | null = null
  private markerSeen = false
  /** The process reconciled once at start: the first full one is due an interval later. */
  private lastFullAt = Date.now()
  private lastAfterAt = 0
  private failing = false

  constructor(private readonly options: ScheduleKeeperOptions) {}

  /** `<prefix>:marker`: present while Redis holds what Kept wrote. */
  get markerKey(): string {
    return `${this.options.prefix}:marker`
  }

  async check(now = Date.now()): Promise<KeeperCheck> {
    const { redis, scheduler, logger } = this.options
    const marker = await redis.get(this.markerKey)
    const wiped = marker === null && this.markerSeen
    let counts = await scheduler.counts()
    let reconciled: ReconcileReport | null = null
    const fullDue = this.options.fullEveryMs !== undefined && now - this.lastFullAt >= this.options.fullEveryMs
    if (wiped) logger?.warn({ expected: counts.expected, present: counts.present }, 'Redis lost its data (the marker key is gone): restoring every schedule')
    if (wiped || counts.expected !== counts.present || fullDue) {
      if (wiped) await Promise.all(this.options.parts.map((part) => part.schedule()))
      reconciled = await scheduler.reconcile()
      this.lastFullAt = now
      counts = await scheduler.counts()
    }
    if (marker === null) await redis.set(this.markerKey, new Date(now).toISOString())
    this.markerSeen = true
    const after = this.options.after
    if (after && now - this.lastAfterAt >= after.everyMs) {
      this.lastAfterAt = now
      await after.run()
    }
    return { ...counts, wiped, reconciled }
  }

  /** Check every `everyMs` until stop(); a failed check is logged once until one succeeds. */
  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return
      this.running = this.check()
        .then(() => {
          if (this.failing) this.options.logger?.info('schedule check works again')
          this.failing = false
        })
        .catch((error: unknown) => {
          if (!this.failing) this.options.logger?.warn({ err: error }, 'schedule check failed: will retry')
          this.failing = true
        })
        .finally(() => {
          this.running = null
        })
    }, this.options.everyMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.running
  }
}
