import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Db } from '../db/client.ts'
import type { RunResult } from '../domain/run.ts'
import type { Logger } from '../infra/logger.ts'
import { enqueueRun, type JourneyQueue } from '../queue/enqueue.ts'
import { QUEUES, type JourneyJob, type ResultJob } from '../queue/jobs.ts'
import { ALERT_JOB_OPTIONS, cappedBackoff } from '../queue/options.ts'
import { buildSpec } from '../queue/spec.ts'
import { groupCommit } from './group-commit.ts'
import { recordResults, type BreakChange } from './record.ts'

export interface AlertEvent extends BreakChange {}

/**
 * Results in flight at once: half are written while the other half
 * gathers. bench:record on 2 cores: 1000 → ~4,600/s, 2000 → ~5,200/s,
 * 4000 → ~4,200/s (BullMQ itself slows down).
 */
export const DEFAULT_RECORDER_CONCURRENCY = 2000
/**
 * Transactions written at once, each for its own promises (so they never
 * wait on each other's row locks): one gathers results while another
 * commits, and Postgres has work while Node takes jobs from Redis.
 */
const DEFAULT_LANES = 2

export interface RecorderOptions {
  /** A BullMQ worker connection (maxRetriesPerRequest: null). */
  connection: Redis
  prefix: string
  db: Db
  /**
   * Results taken at once (default 2000). Those that arrive while a
   * transaction is being written are written together by the next one, up
   * to half of this per transaction (see recordResults): each promise's
   * results are applied in the order they started. 1 writes one result per
   * transaction.
   */
  concurrency?: number
  /** Transactions written at once, each for a disjoint set of promises (default 2). */
  lanes?: number
  /** The longest wait between retries of a result while Postgres is away (default 30 s). */
  maxBackoffMs?: number
  /** Called once per newly recorded run (e.g. metrics.observeRun). */
  onRecorded?: (result: RunResult) => void
  logger?: Logger
}

export interface Recorder {
  worker: Worker<ResultJob>
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
 * The only writer of runs: consumes the "results" queue, records each
 * result once (see recordResult), then announces break changes on the
 * "alerts" queue and asks for confirmation runs on "journeys". When
 * Postgres is away the job fails and is retried with a capped backoff:
 * results wait in Redis, nothing is lost.
 */
export function startRecorder(options: RecorderOptions): Recorder {
  const { connection, prefix, db, logger } = options
  const alerts = new Queue<AlertEvent>(QUEUES.alerts, { connection, prefix })
  const journeys: JourneyQueue = new Queue<JourneyJob>(QUEUES.journeys, { connection, prefix })
  const concurrency = options.concurrency ?? DEFAULT_RECORDER_CONCURRENCY
  const lanes = options.lanes ?? DEFAULT_LANES
  const recordResult = groupCommit((results: RunResult[]) => recordResults(db, results), {
    maxBatch: Math.max(1, Math.ceil(concurrency / (2 * lanes))),
    writeAlone: isBadData,
    lanes,
    laneOf: (result) => result.promiseId,
  })

  const record = async (job: Job<ResultJob>) => {
    const result = job.data
    // A "try it now" run belongs to no promise yet: its result job is read
    // back from Redis by tryJourney, never written to runs.
    if (result.trigger === 'test') return 'test'
    let recorded
    try {
      recorded = await recordResult(result)
    } catch (error) {
      if (isBadData(error)) throw new UnrecoverableError(`result ${job.id} cannot be recorded: ${(error as Error).message}`)
      throw error
    }
    if (recorded.status === 'orphan') {
      logger?.info({ runId: result.runId, promiseId: result.promiseId }, 'result of a deleted promise: dropped')
      return recorded.status
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
    return recorded.status
  }

  const worker = new Worker<ResultJob>(QUEUES.results, record, {
    connection,
    prefix,
    concurrency,
    settings: { backoffStrategy: (attemptsMade) => cappedBackoff(attemptsMade, options.maxBackoffMs) },
  })
  worker.on('failed', (job, error) =>
    logger?.warn({ err: error, runId: job?.id, attempts: job?.attemptsMade }, 'result not recorded yet: will retry'),
  )
  worker.on('error', (error) => logger?.error({ err: error }, 'recorder error'))

  return {
    worker,
    async close() {
      await worker.close()
      await Promise.all([alerts.close(), journeys.close()])
    },
  }
}

/** Errors no retry can fix: the data itself is wrong (SQLSTATE classes 22 and 23). */
function isBadData(error: unknown): boolean {
  const code = (error as { code?: unknown; cause?: { code?: unknown } })?.cause?.code ?? (error as { code?: unknown })?.code
  return typeof code === 'string' && /^2[23]/.test(code)
}
