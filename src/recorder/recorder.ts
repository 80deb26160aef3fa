import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Db } from '../db/client.ts'
import type { RunResult } from '../domain/run.ts'
import type { Logger } from '../infra/logger.ts'
import { enqueueRun, type JourneyQueue } from '../queue/enqueue.ts'
import { QUEUES, type JourneyJob } from '../queue/jobs.ts'
import { ALERT_JOB_OPTIONS, cappedBackoff } from '../queue/options.ts'
import { isNoGroupError } from '../queue/results-stream.ts'
import { buildSpec } from '../queue/spec.ts'
import { groupCommit } from './group-commit.ts'
import { recordResults, type BreakChange } from './record.ts'
import { resultsReader, type ResultEntry } from './results-reader.ts'

export interface AlertEvent extends BreakChange {}

/**
 * Results read from the stream at once; two reads are written at a time,
 * so Postgres writes one while Node reads and parses the next. bench:record
 * on 2 cores, 2 lanes: 250 → ~6,900/s, 500 → ~7,000/s, 1000 → ~8,300/s;
 * bigger batches gain a little and make every result of a batch wait for
 * its slowest write.
 */
export const DEFAULT_RECORDER_BATCH = 500
const READS_IN_FLIGHT = 2
/**
 * Transactions written at once, each for its own promises (so they never
 * wait on each other's row locks): one gathers results while another
 * commits.
 */
const DEFAULT_LANES = 2
/** How long a read waits for new results before it looks again (and close() is noticed). */
const BLOCK_MS = 500

export interface RecorderOptions {
  /** A BullMQ worker connection (maxRetriesPerRequest: null); the recorder duplicates it for its blocking reads. */
  connection: Redis
  prefix: string
  db: Db
  /** Results read at once (default 500); each read's results are written in a transaction per lane. */
  batchSize?: number
  /** Transactions written at once, each for a disjoint set of promises (default 2). */
  lanes?: number
  /** The longest wait between retries while Postgres is away (default 30 s). */
  maxBackoffMs?: number
  /**
   * Results a recorder took and did not acknowledge for this long are taken
   * over by another (default 30 s): their recorder died. Looked for at
   * start and every half of this.
   */
  claimIdleMs?: number
  /** Called once per newly recorded run (e.g. metrics.observeRun). */
  onRecorded?: (result: RunResult) => void
  logger?: Logger
}

export interface Recorder {
  /** This recorder's consumer name in the results stream's group. */
  consumer: string
  close(): Promise<void>
}

/** The alert job id of a break change: the same change is announced once. */
export function alertJobId(change: BreakChange): string {
  return `break:${change.breakId}:${change.type === 'break.opened' ? 'open' : 'resolve'}`
}

/** The job id of the confirmation run of a broken run. */
export function confirmJobId(runId: string): string {
  return `confirm-${runId}`
}

type Handled = 'done' | 'dead' | 'retry'

/**
 * The only writer of runs: reads the results stream in batches, records
 * each result once (see recordResults), announces break changes on the
 * "alerts" queue and asks for confirmation runs on "journeys", then
 * acknowledges. What fails (Postgres away) stays unacknowledged and is
 * read again after a capped backoff: results wait in Redis, nothing is
 * lost. What no retry can write (bad data) goes to the dead-letter stream.
 */
export function startRecorder(options: RecorderOptions): Recorder {
  const { connection, prefix, db, logger } = options
  const alerts = new Queue<AlertEvent>(QUEUES.alerts, { connection, prefix })
  const journeys: JourneyQueue = new Queue<JourneyJob>(QUEUES.journeys, { connection, prefix })
  const blocking = connection.duplicate()
  const reader = resultsReader(connection, blocking, prefix, `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`)
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_RECORDER_BATCH)
  const lanes = options.lanes ?? DEFAULT_LANES
  const claimIdleMs = options.claimIdleMs ?? 30_000
  const recordResult = groupCommit((results: RunResult[]) => recordResults(db, results), {
    maxBatch: batchSize,
    writeAlone: isBadData,
    lanes,
    laneOf: (result) => result.promiseId,
  })

  const handle = async (entry: ResultEntry): Promise<Handled> => {
    if (entry.json === null) return 'done' // deleted while pending: nothing left to write
    let result: RunResult
    try {
      result = JSON.parse(entry.json) as RunResult
    } catch {
      return deadLetter(entry, 'the entry is not JSON')
    }
    let recorded
    try {
      recorded = await recordResult(result)
    } catch (error) {
      if (isBadData(error)) return deadLetter(entry, postgresMessage(error), result.runId)
      throw error
    }
    if (recorded.status === 'orphan') {
      logger?.info({ runId: result.runId, promiseId: result.promiseId }, 'result of a deleted promise: dropped')
      return 'done'
    }
    if (recorded.status === 'recorded') {
      options.onRecorded?.(result)
      const { runId, promiseId, trigger, outcome, clicks, durationMs } = result
      logger?.info({ runId, promiseId, trigger, outcome, clicks, durationMs, failure: result.failure?.message }, 'run recorded')
    }
    for (const change of recorded.changes) {
      await alerts.add(change.type, change, { ...ALERT_JOB_OPTIONS, jobId: alertJobId(change) })
      logger?.info(change, change.type)
    }
    if (recorded.needsConfirmation) {
      await enqueueRun(journeys, await buildSpec(db, recorded.promise), {
        jobId: confirmJobId(result.runId),
        trigger: 'confirm',
        confirmOf: result.runId,
      })
    }
    return 'done'
  }

  const deadLetter = async (entry: ResultEntry, reason: string, runId?: string): Promise<Handled> => {
    logger?.error({ entryId: entry.id, runId, reason }, 'result cannot be recorded: moved to the dead-letter stream')
    await reader.deadLetter(entry, reason)
    return 'dead'
  }

  /** Writes one read's entries; true when some must be retried. */
  const write = async (entries: ResultEntry[]): Promise<boolean> => {
    const handled = await Promise.all(
      entries.map((entry) =>
        handle(entry).catch((error: unknown): Handled => {
          logger?.warn({ err: error, entryId: entry.id }, 'result not recorded yet: will retry')
          return 'retry'
        }),
      ),
    )
    await reader.acknowledge(entries.filter((_, i) => handled[i] === 'done').map((entry) => entry.id))
    return handled.includes('retry')
  }

  let closing = false
  const inFlight = new Set<Promise<void>>()
  let failed = false
  let failures = 0
  // While retrying: the last of this recorder's unacknowledged entries read again.
  let retryCursor: string | null = null
  let nextClaimAt = 0

  const track = (entries: ResultEntry[]) => {
    const writing = write(entries)
      .then((retry) => {
        if (retry) failed = true
        else failures = 0
      })
      .catch((error: unknown) => {
        failed = true
        logger?.warn({ err: error }, 'results not acknowledged yet: will retry')
      })
      .finally(() => inFlight.delete(writing))
    inFlight.add(writing)
  }

  const step = async () => {
    if (inFlight.size >= READS_IN_FLIGHT) return void (await Promise.race(inFlight))
    if (failed) {
      // Let what is being written settle, wait, then read this recorder's
      // unacknowledged entries again, oldest first; a round ends when none
      // are left after the cursor, so one entry that keeps failing never
      // stops the others.
      await Promise.all(inFlight)
      failed = false
      await sleep(cappedBackoff(++failures, options.maxBackoffMs))
      retryCursor ??= '0'
      return
    }
    if (Date.now() >= nextClaimAt) {
      nextClaimAt = Date.now() + claimIdleMs / 2
      return claimAbandoned()
    }
    if (retryCursor !== null) {
      const entries = await reader.readOwn(retryCursor, batchSize)
      if (entries.length === 0) retryCursor = null
      else {
        retryCursor = entries.at(-1)!.id
        track(entries)
      }
      return
    }
    const entries = await reader.readNew(batchSize, BLOCK_MS)
    if (entries.length > 0) track(entries)
  }

  const claimAbandoned = async () => {
    let cursor = '0-0'
    do {
      const claimed = await reader.claimIdle(claimIdleMs, cursor, batchSize)
      cursor = claimed.cursor
      if (claimed.entries.length === 0) continue
      logger?.info({ results: claimed.entries.length, idleMs: claimIdleMs }, 'results left unacknowledged: taken over (a recorder stopped, or Postgres was away)')
      track(claimed.entries)
      while (inFlight.size >= READS_IN_FLIGHT) await Promise.race(inFlight)
    } while (cursor !== '0-0' && !closing)
    const forgotten = await reader.forgetIdle(claimIdleMs)
    if (forgotten > 0) logger?.info({ recorders: forgotten }, 'stopped recorders removed from the results group')
  }

  let grouped = false
  const loop = (async () => {
    while (!closing) {
      try {
        if (!grouped) {
          await reader.ensureGroup()
          grouped = true
        }
        await step()
      } catch (error) {
        if (closing) break
        // The stream or its group is gone (Redis flushed or restarted empty): create them again.
        if (isNoGroupError(error)) grouped = false
        logger?.error({ err: error }, 'recorder cannot read results: will retry')
        await sleep(cappedBackoff(++failures, options.maxBackoffMs))
      }
    }
  })()

  return {
    consumer: reader.consumer,
    async close() {
      closing = true
      await loop
      await Promise.all(inFlight)
      await reader.leave().catch(() => {})
      blocking.disconnect()
      await Promise.all([alerts.close(), journeys.close()])
    },
  }
}

/** Postgres's own words: Drizzle wraps them in a "Failed query: <the whole statement>" error. */
function postgresMessage(error: unknown): string {
  const { message, cause } = error as { message?: string; cause?: { message?: string } }
  return cause?.message ?? message ?? String(error)
}

/** Errors no retry can fix: the data itself is wrong (SQLSTATE classes 22 and 23). */
function isBadData(error: unknown): boolean {
  const code = (error as { code?: unknown; cause?: { code?: unknown } })?.cause?.code ?? (error as { code?: unknown })?.code
  return typeof code === 'string' && /^2[23]/.test(code)
}
