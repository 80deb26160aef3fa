import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Queue } from 'bullmq'
import { afterAll, beforeAll } from 'vitest'
import { decrypt } from '../../src/infra/crypto.ts'
import { fsEvidenceStore } from '../../src/evidence/fs-store.ts'
import { evidenceKeeper } from '../../src/evidence/keeper.ts'
import type { EvidenceStore } from '../../src/evidence/store.ts'
import { createRedisConnection, type RedisClient, type RedisTarget } from '../../src/infra/redis.ts'
import { QUEUES, type JourneyJob } from '../../src/queue/jobs.ts'
import { startJourneyWorker, type JourneyWorker } from '../../src/queue/journey-worker.ts'
import { Scheduler } from '../../src/queue/scheduler.ts'
import { startRecorder, type Recorder } from '../../src/recorder/recorder.ts'
import { resolveChromium } from '../../src/runner/browser-path.ts'
import { BrowserPool } from '../../src/runner/browser-pool.ts'
import { freshDatabase, uniquePrefix } from './db.ts'
import { dropPrefix, testRedisTarget } from './redis.ts'

export interface Pipeline {
  pg: Awaited<ReturnType<typeof freshDatabase>>
  redis: RedisClient
  prefix: string
  dataDir: string
  /** Where the recorder keeps evidence: <dataDir>/evidence, as Kept by default. */
  evidence: EvidenceStore
  pool: BrowserPool
  journeys: Queue<JourneyJob>
  scheduler: Scheduler
  recorder: Recorder
  /** The secret key of this pipeline's encrypted secrets. */
  key: Buffer
  worker: JourneyWorker | null
  startWorker(): JourneyWorker
  stopWorker(): Promise<void>
}

/**
 * The real journey pipeline for one test file: Postgres, the scheduler, the
 * journeys queue under a unique prefix, a worker with its browser pool and
 * the recorder; all torn down after the file. `target` (read in beforeAll)
 * is this run's Redis unless given.
 */
export function journeyPipeline(label: string, target: () => RedisTarget = testRedisTarget): Pipeline {
  const p = { key: randomBytes(32), worker: null } as Pipeline
  p.startWorker = () => {
    p.worker = startJourneyWorker({
      connection: p.redis,
      prefix: p.prefix,
      pool: p.pool,
      concurrency: 1,
      dataDir: p.dataDir,
      workerId: 'in-test',
      decryptSecret: (encrypted) => decrypt(p.key, encrypted),
      closeGraceMs: 10_000,
    })
    return p.worker
  }
  p.stopWorker = async () => {
    await p.worker?.close()
    p.worker = null
  }
  beforeAll(async () => {
    p.pg = await freshDatabase()
    p.redis = createRedisConnection(target(), { worker: true })
    p.prefix = uniquePrefix(label)
    p.dataDir = await mkdtemp(path.join(os.tmpdir(), `kept-${label}-`))
    p.pool = new BrowserPool({ executablePath: resolveChromium(process.env)?.path })
    p.journeys = new Queue(QUEUES.journeys, { connection: p.redis, prefix: p.prefix })
    p.scheduler = new Scheduler({ db: p.pg.db, queue: p.journeys, redis: p.redis, prefix: p.prefix })
    p.evidence = fsEvidenceStore(p.dataDir)
    p.recorder = startRecorder({
      connection: p.redis,
      prefix: p.prefix,
      db: p.pg.db,
      maxBackoffMs: 1000,
      evidence: evidenceKeeper({ redis: p.redis, prefix: p.prefix, store: p.evidence }),
    })
    p.startWorker()
  })
  afterAll(async () => {
    await p.stopWorker()
    await p.recorder?.close()
    await p.pool?.close()
    for (const name of Object.values(QUEUES)) {
      const queue = new Queue(name, { connection: p.redis, prefix: p.prefix })
      await queue.obliterate({ force: true }).catch(() => {})
      await queue.close()
    }
    await p.journeys?.close()
    await dropPrefix(p.prefix, target())
    p.redis?.disconnect()
    await p.pg?.drop()
    if (p.dataDir) await rm(p.dataDir, { recursive: true, force: true })
  })
  return p
}
