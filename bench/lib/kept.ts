import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Db } from '../../src/db/client.ts'
import { promises } from '../../src/db/schema.ts'
import type { RunResult } from '../../src/domain/run.ts'
import { decrypt } from '../../src/infra/crypto.ts'
import { createRedisConnection } from '../../src/infra/redis.ts'
import { enqueueRun } from '../../src/queue/enqueue.ts'
import { QUEUES, type JourneyJob, type JourneySpec } from '../../src/queue/jobs.ts'
import { startJourneyWorker, type JourneyWorker } from '../../src/queue/journey-worker.ts'
import { buildSpec } from '../../src/queue/spec.ts'
import { startRecorder, type Recorder } from '../../src/recorder/recorder.ts'
import { resolveChromium } from '../../src/runner/browser-path.ts'
import { BrowserPool } from '../../src/runner/browser-pool.ts'
import { orderJourney } from './journey.ts'
import { benchPrefix, deletePrefix, REDIS_URL } from './services.ts'

// Kept end to end in one process, as the journey benchmarks drive it:
// jobs on the "journeys" queue → journey worker (Chromium) → "results"
// queue → recorder → Postgres.

export interface KeptRun {
  runId: string
  outcome: RunResult['outcome']
  clicks: number
  /** The journey's own time, as the runner measured it. */
  walkMs: number
  /** From the worker taking the job to the run committed in Postgres. */
  latencyMs: number
}

export interface KeptHarness {
  promiseId: string
  /** The job spec of the promise, as the scheduler builds it. */
  spec: JourneySpec
  pool: BrowserPool
  dataDir: string
  /** Enqueue `count` runs at once; resolves when all are recorded, with the wall time. */
  batch(count: number): Promise<{ seconds: number; runs: KeptRun[] }>
  close(): Promise<void>
}

export async function startKept(options: { db: Db; shopUrl: string; concurrency: number; prepareAhead?: number }): Promise<KeptHarness> {
  const { db } = options
  const connection: Redis = createRedisConnection(REDIS_URL, { worker: true })
  const prefix = benchPrefix('journeys')
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-bench-'))
  const key = randomBytes(32)
  // As src/app/journey-worker.ts builds it.
  const pool = new BrowserPool({ executablePath: resolveChromium(process.env)?.path, prepareAhead: options.prepareAhead ?? 1 })
  const journeys = new Queue<JourneyJob>(QUEUES.journeys, { connection, prefix })

  const [promise] = await db
    .insert(promises)
    .values({ title: 'Order online in 3 clicks', journey: orderJourney(options.shopUrl), budgets: { maxClicks: 3, maxSeconds: 60 } })
    .returning()
  const spec = await buildSpec(db, promise!)

  const recordedAt = new Map<string, { at: number; result: RunResult }>()
  let waiting: { count: number; done: () => void } | null = null
  const recorder: Recorder = startRecorder({
    connection,
    prefix,
    db,
    onRecorded: (result) => {
      recordedAt.set(result.runId, { at: Date.now(), result })
      if (waiting && recordedAt.size >= waiting.count) waiting.done()
    },
  })
  const worker: JourneyWorker = startJourneyWorker({
    connection,
    prefix,
    pool,
    concurrency: options.concurrency,
    dataDir,
    workerId: 'bench',
    decryptSecret: (encrypted) => decrypt(key, encrypted),
    selfCheck: async () => false,
  })
  await pool.acquire()

  return {
    promiseId: promise!.id,
    spec,
    pool,
    dataDir,
    async batch(count) {
      recordedAt.clear()
      const finished = new Promise<void>((resolve) => (waiting = { count, done: resolve }))
      const ids = Array.from({ length: count }, () => randomUUID())
      const started = performance.now()
      await Promise.all(ids.map((runId) => enqueueRun(journeys, spec, { jobId: runId, runId, trigger: 'schedule' })))
      await finished
      const seconds = (performance.now() - started) / 1000
      waiting = null
      const runs: KeptRun[] = []
      for (const runId of ids) {
        const job = await journeys.getJob(runId)
        const recorded = recordedAt.get(runId)!
        runs.push({
          runId,
          outcome: recorded.result.outcome,
          clicks: recorded.result.clicks,
          walkMs: recorded.result.durationMs,
          latencyMs: recorded.at - (job?.processedOn ?? Number.NaN),
        })
      }
      return { seconds, runs }
    },
    async close() {
      await worker.close()
      await recorder.close()
      await pool.close()
      await journeys.close()
      await deletePrefix(connection, prefix)
      connection.disconnect()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
