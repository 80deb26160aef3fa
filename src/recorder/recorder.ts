import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { Queue } from 'bullmq'
import { duplicateConnection, type RedisClient } from '../infra/redis.ts'
import type { Db } from '../db/client.ts'
import type { RunResult } from '../domain/run.ts'
import type { Logger } from '../infra/logger.ts'
import { DEFAULT_REGION } from '../domain/region.ts'
import { enqueueRun } from '../queue/enqueue.ts'
import { QUEUES } from '../queue/jobs.ts'
import { JourneyQueues } from '../queue/journey-queues.ts'
import { ALERT_JOB_OPTIONS, cappedBackoff } from '../queue/options.ts'
import { isNoGroupError } from '../queue/results-stream.ts'
import { buildSpec } from '../queue/spec.ts'
import { EvidenceNotStoredYet, type EvidenceKeeper } from '../evidence/keeper.ts'
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
  connection: RedisClient
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
  /** Puts each result's evidence from Redis in the evidence store before its run is written (src/evidence/keeper.ts). */
  evidence?: EvidenceKeeper
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

/**
 * What became of an entry: written (or nothing to write), dead-lettered,
 * to retry after a backoff (Postgres away), or to wait: left unacknowledged
 * while the rest goes on, taken up again once idle for claimIdleMs (its
 * evidence store is failing: src/evidence/keeper.ts).
 */
type Handled = 'done' | 'dead' | 'retry' | 'wait'

/**
 * The only writer of runs: reads the results stream in batches, records
 * each result once (see recordResults), announces break changes on the
 * "alerts" queue and asks for confirmation runs on "journeys", then
 * acknowledges. What fails (Postgres away) stays unacknowledged and is
 * read again after a capped backoff: results wait in Redis, nothing is
 * lost. What no retry can write (bad data) goes to the dead-letter stream.
 */
export function startRecorder(options: RecorderOptions): Recorder {
  const recorder = new ResultsRecorder(options)
  recorder.start()
  return recorder
}

type RecordOutcome = Awaited<ReturnType<typeof recordResults>>[number]

/**
 * The recorder's steps, each a method: read (new results, this recorder's
 * own again after a failure, or those a dead recorder left) → record each
 * (parse, write, then announce break changes and ask for confirmation
 * runs) → acknowledge what is done.
 */
class ResultsRecorder implements Recorder {
  readonly consumer: string
  private readonly alerts: Queue<AlertEvent>
  private readonly journeys: JourneyQueues
  private readonly blocking: RedisClient
  private readonly reader: ReturnType<typeof resultsReader>
  private readonly batchSize: number
  private readonly claimIdleMs: number
  private readonly record: (result: RunResult) => Promise<RecordOutcome>
  private readonly inFlight = new Set<Promise<void>>()
  private closing = false
  private failed = false
  private failures = 0
  /** While retrying: the last of this recorder's unacknowledged entries read again. */
  private retryCursor: string | null = null
  private nextClaimAt = 0
  private grouped = false
  private loop: Promise<void> = Promise.resolve()

  constructor(private readonly options: RecorderOptions) {
    const { connection, prefix, db } = options
    this.alerts = new Queue<AlertEvent>(QUEUES.alerts, { connection, prefix })
    this.journeys = new JourneyQueues(connection, prefix)
    this.blocking = duplicateConnection(connection)
    this.reader = resultsReader(connection, this.blocking, prefix, `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`)
    this.consumer = this.reader.consumer
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_RECORDER_BATCH)
    this.claimIdleMs = options.claimIdleMs ?? 30_000
    this.record = groupCommit((results: RunResult[]) => recordResults(db, results), {
      maxBatch: this.batchSize,
      writeAlone: isBadData,
      lanes: options.lanes ?? DEFAULT_LANES,
      laneOf: (result) => result.promiseId,
    })
  }

  start(): void {
    this.loop = (async () => {
      while (!this.closing) {
        try {
          if (!this.grouped) {
            await this.reader.ensureGroup()
            this.grouped = true
          }
          await this.step()
        } catch (error) {
          if (this.closing) break
          // The stream or its group is gone (Redis flushed or restarted empty): create them again.
          if (isNoGroupError(error)) this.grouped = false
          this.options.logger?.error({ err: error }, 'recorder cannot read results: will retry')
          await sleep(cappedBackoff(++this.failures, this.options.maxBackoffMs))
        }
      }
    })()
  }

  async close(): Promise<void> {
    this.closing = true
    await this.loop
    await Promise.all(this.inFlight)
    await this.reader.leave().catch(() => {})
    this.blocking.disconnect()
    await Promise.all([this.alerts.close(), this.journeys.close()])
  }

  /** One turn of the loop: wait for a write, back off after a failure, take over abandoned results, or read. */
  private async step(): Promise<void> {
    if (this.inFlight.size >= READS_IN_FLIGHT) return void (await Promise.race(this.inFlight))
    if (this.failed) return this.backOff()
    if (Date.now() >= this.nextClaimAt) {
      this.nextClaimAt = Date.now() + this.claimIdleMs / 2
      return this.claimAbandoned()
    }
    if (this.retryCursor !== null) return this.readOwnAgain()
    const entries = await this.reader.readNew(this.batchSize, BLOCK_MS)
    if (entries.length > 0) this.track(entries)
  }

  /**
   * Let what is being written settle, wait, then read this recorder's
   * unacknowledged entries again, oldest first; a round ends when none are
   * left after the cursor, so one entry that keeps failing never stops the
   * others.
   */
  private async backOff(): Promise<void> {
    await Promise.all(this.inFlight)
    this.failed = false
    await sleep(cappedBackoff(++this.failures, this.options.maxBackoffMs))
    this.retryCursor ??= '0'
  }

  private async readOwnAgain(): Promise<void> {
    const entries = await this.reader.readOwn(this.retryCursor!, this.batchSize)
    if (entries.length === 0) this.retryCursor = null
    else {
      this.retryCursor = entries.at(-1)!.id
      this.track(entries)
    }
  }

  /** Results a stopped recorder (or a long Postgres outage) left unacknowledged: taken over. */
  private async claimAbandoned(): Promise<void> {
    let cursor = '0-0'
    do {
      const claimed = await this.reader.claimIdle(this.claimIdleMs, cursor, this.batchSize)
      cursor = claimed.cursor
      if (claimed.entries.length === 0) continue
      this.options.logger?.info({ results: claimed.entries.length, idleMs: this.claimIdleMs }, 'results left unacknowledged: taken over (a recorder stopped, Postgres was away, or their evidence store)')
      this.track(claimed.entries)
      while (this.inFlight.size >= READS_IN_FLIGHT) await Promise.race(this.inFlight)
    } while (cursor !== '0-0' && !this.closing)
    const forgotten = await this.reader.forgetIdle(this.claimIdleMs)
    if (forgotten > 0) this.options.logger?.info({ recorders: forgotten }, 'stopped recorders removed from the results group')
  }

  /** Write a read's entries in the background; a failure marks the recorder for a retry round. */
  private track(entries: ResultEntry[]): void {
    const writing = this.write(entries)
      .then((retry) => {
        if (retry) this.failed = true
        else this.failures = 0
      })
      .catch((error: unknown) => {
        this.failed = true
        this.options.logger?.warn({ err: error }, 'results not acknowledged yet: will retry')
      })
      .finally(() => this.inFlight.delete(writing))
    this.inFlight.add(writing)
  }

  /** Writes one read's entries and acknowledges those done; true when some must be retried. */
  private async write(entries: ResultEntry[]): Promise<boolean> {
    const handled = await Promise.all(
      entries.map((entry) =>
        this.handle(entry).catch((error: unknown): Handled => {
          this.options.logger?.warn({ err: error, entryId: entry.id }, 'result not recorded yet: will retry')
          return 'retry'
        }),
      ),
    )
    await this.reader.acknowledge(entries.filter((_, i) => handled[i] === 'done').map((entry) => entry.id))
    return handled.includes('retry')
  }

  /** One entry: parsed, recorded once, then what its record asks for. */
  private async handle(entry: ResultEntry): Promise<Handled> {
    if (entry.json === null) return 'done' // deleted while pending: nothing left to write
    let result: RunResult
    try {
      result = JSON.parse(entry.json) as RunResult
    } catch {
      return this.deadLetter(entry, 'the entry is not JSON')
    }
    // Its evidence stored first, so every link of the recorded run works. A
    // failing store holds back only this result, not the recorder: it waits,
    // unacknowledged, and is claimed again (claimAbandoned) once idle.
    if (this.options.evidence) {
      try {
        result = await this.options.evidence.keep(result)
      } catch (error) {
        if (error instanceof EvidenceNotStoredYet) return 'wait'
        throw error
      }
    }
    let recorded: RecordOutcome
    try {
      recorded = await this.record(result)
    } catch (error) {
      if (isBadData(error)) return this.deadLetter(entry, postgresMessage(error), result.runId)
      throw error
    }
    await this.followUp(result, recorded)
    await this.releaseEvidence(result, recorded)
    return 'done'
  }

  /** The recorded run's files leave Redis; a deleted promise's leave the store too. */
  private async releaseEvidence(result: RunResult, recorded: RecordOutcome): Promise<void> {
    const { evidence, logger } = this.options
    if (!evidence || result.evidenceVia !== 'redis') return
    if (recorded.status === 'orphan') await evidence.store.deleteRuns([result.runId]).catch((err: unknown) => logger?.warn({ err, runId: result.runId }, 'evidence of a deleted promise not deleted'))
    await evidence.release(result).catch((err: unknown) => logger?.warn({ err, runId: result.runId }, 'evidence left in Redis until it expires'))
  }

  /** After a record: say so, announce its break changes, ask for its confirmation run. */
  private async followUp(result: RunResult, recorded: RecordOutcome): Promise<void> {
    const { logger } = this.options
    if (recorded.status === 'orphan') {
      logger?.info({ runId: result.runId, promiseId: result.promiseId }, 'result of a deleted promise: dropped')
      return
    }
    if (recorded.status === 'recorded') {
      this.options.onRecorded?.(result)
      const { runId, promiseId, trigger, outcome, clicks, durationMs } = result
      logger?.info({ runId, promiseId, trigger, outcome, clicks, durationMs, failure: result.failure?.message }, 'run recorded')
    }
    for (const change of recorded.changes) {
      await this.alerts.add(change.type, change, { ...ALERT_JOB_OPTIONS, jobId: alertJobId(change) })
      logger?.info(change, change.type)
    }
    if (recorded.needsConfirmation) {
      // Confirmed where it broke: on the queue of the run's region.
      await enqueueRun(this.journeys.of(result.region ?? DEFAULT_REGION), await buildSpec(this.options.db, recorded.promise), {
        jobId: confirmJobId(result.runId),
        trigger: 'confirm',
        confirmOf: result.runId,
      })
    }
  }

  private async deadLetter(entry: ResultEntry, reason: string, runId?: string): Promise<Handled> {
    this.options.logger?.error({ entryId: entry.id, runId, reason }, 'result cannot be recorded: moved to the dead-letter stream')
    await this.reader.deadLetter(entry, reason)
    return 'dead'
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
