import type { RedisClient } from '../infra/redis.ts'
import type { RunResult } from '../domain/run.ts'

// Results travel from journey workers to the recorder on a Redis stream,
// not as one BullMQ job each: the recorder reads hundreds per round trip
// and acknowledges them in one more, where a job queue costs two Lua calls
// per result (bench/README.md). An entry stays until the recorder has
// written it, so a Postgres outage only delays results; written entries
// are deleted, so the stream holds just what is still to record.

/** The consumer group of the recorders: each entry is read by one of them. */
export const RECORDERS = 'recorders'

export const resultsKey = (prefix: string) => `${prefix}:results`
/** Entries no retry can record (bad data), kept for inspection, the newest ~10,000. */
export const deadResultsKey = (prefix: string) => `${prefix}:results:dead`
/** A "try it now" result, read back by the request that asked for it. */
export const tryResultKey = (prefix: string, runId: string) => `${prefix}:tries:${runId}`

const TRY_RESULT_SECONDS = 3600

/** Redis's answer when the stream or its consumer group does not exist (never made, or Redis restarted empty). */
export const isNoGroupError = (error: unknown): boolean => (error as Error | undefined)?.message?.includes('NOGROUP') === true

/** Publish a result for the recorder (scheduled, manual and confirmation runs); returns its entry id. */
export async function publishResult(redis: RedisClient, prefix: string, result: RunResult): Promise<string> {
  return (await redis.xadd(resultsKey(prefix), '*', 'result', JSON.stringify(result)))!
}

/** Publish a "try it now" result: never recorded, kept an hour for the waiting request. */
export async function publishTryResult(redis: RedisClient, prefix: string, result: RunResult): Promise<void> {
  await redis.set(tryResultKey(prefix, result.runId), JSON.stringify(result), 'EX', TRY_RESULT_SECONDS)
}

export async function readTryResult(redis: RedisClient, prefix: string, runId: string): Promise<RunResult | null> {
  const json = await redis.get(tryResultKey(prefix, runId))
  return json === null ? null : (JSON.parse(json) as RunResult)
}

/**
 * Results not recorded yet: `waiting` for a recorder, `active` taken by one
 * and not acknowledged. Written entries are deleted, so the stream's length
 * is both together.
 */
export async function resultsBacklog(redis: RedisClient, prefix: string): Promise<{ waiting: number; active: number }> {
  const key = resultsKey(prefix)
  const [length, pending] = await Promise.all([
    redis.xlen(key),
    // No group yet (no recorder ever ran): nothing is taken. Any other error fails the scrape.
    redis.xpending(key, RECORDERS).catch((error: Error) => {
      if (isNoGroupError(error)) return [0]
      throw error
    }) as Promise<[number, ...unknown[]]>,
  ])
  const active = Number(pending[0] ?? 0)
  return { waiting: Math.max(0, length - active), active }
}
