import type { RedisClient } from '../infra/redis.ts'
import type { Logger } from '../infra/logger.ts'
import type { Failure, RunResult } from '../domain/run.ts'
import { DEFAULT_EVIDENCE_LIMITS, evidenceFileOf, labelOf, overLimit, type EvidenceLimits } from './limits.ts'
import { evidenceType, type EvidenceStore } from './store.ts'
import { EVIDENCE_TTL_SECONDS, dropEvidence, evidenceBytes, receiveEvidence } from './transport.ts'

// The control plane's side of evidence: before the recorder writes a run,
// the files its worker left in Redis are put in the evidence store, so
// every link the run (and its alert) shows works once it is recorded.
// A store that is down makes the result wait (the recorder retries it
// with its backoff) for up to KEPT_EVIDENCE_RETRY_SECONDS from the first
// failure; then the run is recorded without the files, saying they could
// not be stored. The run itself is never lost.

export const DEFAULT_EVIDENCE_RETRY_MS = 10 * 60_000
/** Files moved at once: each is held whole in memory while it moves. */
const MOVES_AT_ONCE = 4

export class EvidenceNotStoredYet extends Error {
  constructor(readonly runId: string, cause: unknown) {
    super(`the evidence of run ${runId} could not be stored yet: ${(cause as Error).message}`, { cause })
    this.name = 'EvidenceNotStoredYet'
  }
}

export interface EvidenceKeeperOptions {
  redis: RedisClient
  prefix: string
  store: EvidenceStore
  limits?: EvidenceLimits
  /** How long a store that fails is retried before the run is recorded without its evidence (default 10 min). */
  retryMs?: number
  logger?: Logger
  now?: () => number
}

export interface EvidenceKeeper {
  readonly store: EvidenceStore
  /**
   * The result with its evidence stored: unchanged when all went well;
   * without the files that were over their limit, gone from Redis, or
   * still failing after the retry window, each said as an error failure.
   * Throws EvidenceNotStoredYet while a failing store is still retried.
   */
  keep(result: RunResult): Promise<RunResult>
  /** Forgets the result's files in Redis (after its run is recorded). */
  release(result: RunResult): Promise<void>
}

type Column = 'screenshotPath' | 'tracePath'
const COLUMNS: Column[] = ['screenshotPath', 'tracePath']

export function evidenceKeeper(options: EvidenceKeeperOptions): EvidenceKeeper {
  const { redis, prefix, store, logger } = options
  const limits = options.limits ?? DEFAULT_EVIDENCE_LIMITS
  const retryMs = options.retryMs ?? DEFAULT_EVIDENCE_RETRY_MS
  const now = options.now ?? Date.now
  /** Runs whose evidence failed to store, since when. */
  const failingSince = new Map<string, number>()
  const moves = semaphore(MOVES_AT_ONCE)

  /** Moves one file; a problem (said on the run) when it cannot be kept for good. */
  const move = async (key: string): Promise<string | null> => {
    const bytes = await evidenceBytes(redis, prefix, key)
    if (bytes === null) return `the ${labelOf(key)} was no longer in Redis when the control plane came to store it (kept there ${EVIDENCE_TTL_SECONDS / 3600} h): it was not kept`
    const file = evidenceFileOf(key)
    const refused = file ? overLimit(file, bytes, limits) : `"${key}" is not an evidence file: it was not kept`
    if (refused) return refused
    const content = await receiveEvidence(redis, prefix, key)
    if (content === null) return `the ${labelOf(key)} was no longer in Redis when the control plane came to store it: it was not kept`
    await store.put(key, content, evidenceType(key))
    return null
  }

  return {
    store,
    async keep(result) {
      if (result.evidenceVia !== 'redis') return result
      const keys = COLUMNS.flatMap((column) => (result[column] ? [[column, result[column]] as const] : []))
      if (keys.length === 0) return result
      const settled = await Promise.allSettled(keys.map(([, key]) => moves(() => move(key))))
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
      const kept: RunResult = { ...result, failures: [...(result.failures ?? (result.failure ? [result.failure] : []))] }
      settled.forEach((s, i) => {
        const [column, key] = keys[i]!
        if (s.status === 'fulfilled' && s.value !== null) {
          kept[column] = null
          kept.failures!.push(problem(s.value))
          logger?.warn({ runId: result.runId, key, reason: s.value }, 'evidence not kept')
        }
      })
      if (failed) {
        const since = failingSince.get(result.runId) ?? now()
        failingSince.set(result.runId, since)
        if (now() - since < retryMs) {
          logger?.warn({ runId: result.runId, store: store.describe, err: failed.reason }, 'evidence store failed: the run waits and is retried')
          throw new EvidenceNotStoredYet(result.runId, failed.reason)
        }
        // Given up: the run is recorded without what could not be stored.
        const minutes = Math.round(retryMs / 60_000)
        settled.forEach((s, i) => {
          if (s.status !== 'rejected') return
          const [column, key] = keys[i]!
          kept[column] = null
          kept.failures!.push(
            problem(
              `the ${labelOf(key)} could not be stored in the evidence store (${store.describe}), tried for ${minutes >= 1 ? `${minutes} min` : `${Math.round(retryMs / 1000)} s`} (KEPT_EVIDENCE_RETRY_SECONDS): ${(s.reason as Error).message}`,
            ),
          )
        })
        logger?.error({ runId: result.runId, store: store.describe, err: failed.reason }, 'evidence store still failing: the run is recorded without its evidence')
      }
      failingSince.delete(result.runId)
      return kept
    },
    async release(result) {
      if (result.evidenceVia !== 'redis') return
      const keys = COLUMNS.flatMap((column) => {
        const key = result[column] ?? defaultKey(result.runId, column)
        return [key]
      })
      await dropEvidence(redis, prefix, keys)
    },
  }
}

/** A file the worker sent may be missing from the kept result (not stored): its key all the same, to drop it. */
function defaultKey(runId: string, column: Column): string {
  return `${runId}/${column === 'screenshotPath' ? 'screenshot.png' : 'trace.zip'}`
}

function problem(message: string): Failure {
  return { kind: 'error', message, evidence: true }
}

function semaphore(size: number) {
  let running = 0
  const waiting: (() => void)[] = []
  return async <T>(work: () => Promise<T>): Promise<T> => {
    while (running >= size) await new Promise<void>((resolve) => waiting.push(resolve))
    running++
    try {
      return await work()
    } finally {
      running--
      waiting.shift()?.()
    }
  }
}
