import os from 'node:os'
import { WaitingError, Worker, type Job } from 'bullmq'
import type { RedisClient } from '../infra/redis.ts'
import type { RunResult } from '../domain/run.ts'
import type { Logger } from '../infra/logger.ts'
import type { BrowserPool } from '../runner/browser-pool.ts'
import { runJourney } from '../runner/run-journey.ts'
import { EVIDENCE_TTL_SECONDS, TRY_EVIDENCE_TTL_SECONDS, sendEvidence } from '../evidence/transport.ts'
import { gracefulClose } from './close-worker.ts'
import { DEFAULT_REGION, journeysQueueName } from '../domain/region.ts'
import type { JourneyJob, JourneySpec } from './jobs.ts'
import { JOURNEY_WORKER_SETTINGS, defaultConcurrency } from './options.ts'
import { publishResult, publishTryResult } from './results-stream.ts'
import { runIdForJob } from './run-id.ts'
import { workerLooksOffline } from './self-check.ts'

type RunOptions = Parameters<typeof runJourney>[2]

export interface JourneyWorkerOptions {
  /** A BullMQ worker connection (maxRetriesPerRequest: null). */
  connection: RedisClient
  prefix: string
  pool: BrowserPool
  dataDir: string
  decryptSecret: (encrypted: string) => string
  /** Journeys at once; default from cores and memory (see defaultConcurrency). */
  concurrency?: number
  workerId?: string
  /** The region it walks for: only that region's queue (src/domain/region.ts); default the region local. */
  region?: string
  targetPolicy?: RunOptions['targetPolicy']
  /** KEPT_RUN_EMAIL_DOMAIN and KEPT_TIMEZONE, for {{run.email}} and {{today}}. */
  runValues?: RunOptions['runValues']
  timeoutMs?: number
  checksDir?: string
  /** KEPT_EVIDENCE_MAX_SCREENSHOT_MB and KEPT_EVIDENCE_MAX_TRACE_MB, in bytes (default 10 MB and 50 MB). */
  evidenceLimits?: RunOptions['evidenceLimits']
  /** Hosts the worker should always reach (see self-check.ts); default none. */
  sanityProbes?: string[]
  /** Replaces the self-check (tests): true means "the worker is offline". */
  selfCheck?: (spec: JourneySpec) => Promise<boolean>
  /** How long close() lets active journeys finish before handing them back to the queue (default 5 s). */
  closeGraceMs?: number
  logger?: Logger
}

export interface JourneyWorker {
  worker: Worker<JourneyJob>
  close(): Promise<void>
}

/**
 * Walks journeys from its region's queue ("journeys" for the region local) and publishes each result on
 * the results stream (a try's result under its run id, see
 * results-stream.ts). Needs Redis and a browser, never the database.
 */
export function startJourneyWorker(options: JourneyWorkerOptions): JourneyWorker {
  const { connection, prefix, pool, logger } = options
  const workerId = options.workerId ?? `${os.hostname()}:${process.pid}`
  const region = options.region ?? DEFAULT_REGION
  const selfCheck =
    options.selfCheck ?? ((spec: JourneySpec) => workerLooksOffline(spec, { probes: options.sanityProbes ?? [] }))

  // Walks in progress, with their lock tokens: close() hands back those that do not finish in time.
  const active = new Map<string, { job: Job<JourneyJob>; token: string | undefined }>()
  let handingBack = false

  const walk = async (job: Job<JourneyJob>, token?: string): Promise<RunResult> => {
    active.set(job.id!, { job, token })
    try {
      return await walkAndPublish(job)
    } finally {
      active.delete(job.id!)
    }
  }

  const walkAndPublish = async (job: Job<JourneyJob>): Promise<RunResult> => {
    const { spec, trigger, confirmOf } = job.data
    // A scheduled job carries no run id: derive it from the job id, so a
    // retried or stalled job records under the same run.
    const runId = job.data.runId ?? runIdForJob(job.id!, region)
    const startedAt = new Date()
    let result: RunResult
    try {
      result = await runJourney(pool, spec, {
        runId,
        trigger,
        ...(confirmOf ? { confirmOf } : {}),
        dataDir: options.dataDir,
        // Evidence goes to the control plane through Redis (src/evidence/transport.ts), never to this machine's disk.
        keepEvidence: (key, bytes) => sendEvidence(connection, prefix, key, bytes, trigger === 'test' ? TRY_EVIDENCE_TTL_SECONDS : EVIDENCE_TTL_SECONDS),
        ...(options.evidenceLimits !== undefined ? { evidenceLimits: options.evidenceLimits } : {}),
        workerId,
        decryptSecret: options.decryptSecret,
        ...(options.targetPolicy !== undefined ? { targetPolicy: options.targetPolicy } : {}),
        ...(options.runValues !== undefined ? { runValues: options.runValues } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.checksDir !== undefined ? { checksDir: options.checksDir } : {}),
      })
    } catch (error) {
      logger?.error({ err: error, runId, promiseId: spec.promiseId }, 'journey runner failed')
      result = errorResult(job.data, runId, workerId, startedAt, region, `the runner failed: ${(error as Error).message}`)
    }
    if (result.outcome === 'broken' && (await selfCheck(spec).catch(() => false))) {
      logger?.warn({ runId, promiseId: spec.promiseId }, 'broken run while the worker looks offline: recorded as error')
      const failure: RunResult['failure'] = {
        kind: 'error',
        message: `the worker could not reach the network, so this run does not count (it saw: ${result.failure?.message ?? 'broken'})`,
      }
      result = { ...result, outcome: 'error', failure, failures: [failure] }
    }
    // Handed back while walking: the walk was cut short by our own stop (its
    // browser closes next), so its result says nothing. Another worker walks
    // the job again under the same run id; WaitingError tells BullMQ the job
    // has been moved already.
    if (handingBack) throw new WaitingError()
    result = { ...result, region, ...(result.screenshotPath || result.tracePath ? { evidenceVia: 'redis' as const } : {}) }
    if (trigger === 'test') await publishTryResult(connection, prefix, result)
    else await publishResult(connection, prefix, result)
    return result
  }

  const worker = new Worker<JourneyJob>(journeysQueueName(region), walk, {
    connection,
    prefix,
    concurrency: options.concurrency ?? defaultConcurrency(),
    ...JOURNEY_WORKER_SETTINGS,
  })
  worker.on('failed', (job, error) => {
    logger?.error({ err: error, jobId: job?.id }, 'journey job failed')
    // A walk that stopped its worker again and again (out of memory, killed)
    // is our fault, said as an error run, never a silent gap or a break.
    if (!job || !/stalled/i.test(error.message)) return
    const runId = job.data.runId ?? runIdForJob(job.id!, region)
    const result = errorResult(
      job.data,
      runId,
      workerId,
      new Date(job.timestamp),
      region,
      'the journey worker stopped during this walk, more than once (out of memory, or killed): Kept gave up on it. ' +
        'Give the worker more memory or lower KEPT_WORKER_CONCURRENCY.',
    )
    const publish = job.data.trigger === 'test' ? publishTryResult : publishResult
    publish(connection, prefix, result).catch((err) => logger?.error({ err, runId }, 'could not publish the error run'))
  })
  worker.on('error', (error) => {
    // A job handed back has no lock left to renew: said once as the hand-back, not as an error per job.
    if (handingBack && /could not renew lock/i.test(error.message)) return
    logger?.error({ err: error }, 'journey worker error')
  })

  // Active journeys may finish for a while; then they are handed back to the
  // queue at once (not after their locks lapse and another worker's stalled
  // check finds them, ~15 s).
  const close = gracefulClose(
    worker,
    options.closeGraceMs ?? 5000,
    async () => {
      handingBack = true
      logger?.warn({ jobs: [...active.keys()] }, 'journeys still running at close: handing them back to the queue')
      await Promise.all(
        [...active.values()].map(({ job, token }) =>
          job.moveToWait(token).catch((error: unknown) => logger?.warn({ err: error, jobId: job.id }, 'could not hand the job back: another worker takes it once its lock lapses')),
        ),
      )
    },
    (error) => logger?.warn({ err: error }, 'journey worker did not close cleanly'),
  )

  return { worker, close }
}

function errorResult(job: JourneyJob, runId: string, workerId: string, startedAt: Date, region: string, message: string): RunResult {
  const finishedAt = new Date()
  return {
    runId,
    promiseId: job.spec.promiseId,
    trigger: job.trigger,
    outcome: 'error',
    clicks: 0,
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    steps: [],
    failure: { kind: 'error', message },
    failures: [{ kind: 'error', message }],
    vitals: {},
    screenshotPath: null,
    tracePath: null,
    workerId,
    region,
    confirmOf: job.confirmOf ?? null,
  }
}
