import os from 'node:os'
import type { Logger } from '../infra/logger.ts'
import type { RedisClient } from '../infra/redis.ts'

// A journey worker says it is alive in Redis: one key per worker that
// expires unless renewed, so the workers of a region are the keys present
// (a worker that died without a word drops out within the TTL). The same
// loop feeds the worker's own health answers (src/app/worker-health.ts).

/** `<prefix>:workers:<region>:<workerId>`: under the queue prefix, so in its cluster slot. */
export const workerKey = (prefix: string, region: string, workerId: string) => `${prefix}:workers:${region}:${workerId}`

/**
 * `<prefix>:workers`: every worker as `<region>:<id>`, scored by when its
 * heartbeat lapses. One key, so the live regions are read with one command
 * on a single Redis and on a cluster alike (a SCAN of a cluster sees one
 * node); src/queue/regions.ts reads it.
 */
export const workersIndexKey = (prefix: string) => `${prefix}:workers`

export interface WorkerHeartbeatOptions {
  redis: RedisClient
  prefix: string
  region: string
  workerId: string
  concurrency: number
  /** How often the key is renewed (default 10 s). */
  everyMs?: number
  /** How long the key outlives its last renewal (default 30 s: two beats may be missed). */
  ttlSeconds?: number
  /** Runs on every tick, whether Redis took the beat or not (the heartbeat file). */
  onTick?: () => void
  logger?: Logger
}

export interface WorkerHeartbeat {
  /** When Redis last took a beat, in ms since the epoch; null before the first. */
  readonly lastBeatAt: number | null
  /** When the loop last ran, beat or not: the process still turns. */
  readonly lastTickAt: number
  readonly everyMs: number
  readonly ttlMs: number
  /** Stops beating and removes the key (the worker left on purpose); waits at most a second for Redis. */
  stop(): Promise<void>
}

export function startWorkerHeartbeat(options: WorkerHeartbeatOptions): WorkerHeartbeat {
  const { redis, logger } = options
  const everyMs = options.everyMs ?? 10_000
  const ttlSeconds = options.ttlSeconds ?? 30
  const key = workerKey(options.prefix, options.region, options.workerId)
  const index = workersIndexKey(options.prefix)
  const member = `${options.region}:${options.workerId}`
  const about = {
    workerId: options.workerId,
    region: options.region,
    host: os.hostname(),
    pid: process.pid,
    concurrency: options.concurrency,
    startedAt: new Date().toISOString(),
  }
  let failing = false
  let beating: Promise<void> = Promise.resolve()
  const state = { lastBeatAt: null as number | null, lastTickAt: Date.now() }

  const tick = () => {
    state.lastTickAt = Date.now()
    options.onTick?.()
    beating = redis
      .multi()
      .set(key, JSON.stringify({ ...about, at: new Date().toISOString() }), 'EX', ttlSeconds)
      .zadd(index, Date.now() + ttlSeconds * 1000, member)
      .exec()
      .then((replies) => {
        const failed = replies?.find(([error]) => error)
        if (failed) throw failed[0]
        state.lastBeatAt = Date.now()
        if (failing) logger?.info({ key }, 'worker heartbeat reaches Redis again')
        failing = false
      })
      .catch((error: unknown) => {
        if (!failing) logger?.warn({ err: error, key }, 'worker heartbeat not written: will retry')
        failing = true
      })
  }
  tick()
  const timer = setInterval(tick, everyMs)
  timer.unref()

  return {
    get lastBeatAt() {
      return state.lastBeatAt
    },
    get lastTickAt() {
      return state.lastTickAt
    },
    everyMs,
    ttlMs: ttlSeconds * 1000,
    async stop() {
      clearInterval(timer)
      // A Redis that is away must not hold up the stop: the key expires on its own then.
      const removed = beating.then(() => redis.multi().del(key).zrem(index, member).exec()).catch((error: unknown) => logger?.warn({ err: error, key }, 'worker heartbeat not removed: it expires on its own'))
      await Promise.race([removed, new Promise((resolve) => setTimeout(resolve, 1000).unref())])
    },
  }
}
