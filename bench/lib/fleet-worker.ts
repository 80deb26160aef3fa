import { Worker, type Job } from 'bullmq'
import type { RunResult } from '../../src/domain/run.ts'
import { journeysQueueName } from '../../src/domain/region.ts'
import { createRedisConnection, type RedisTarget } from '../../src/infra/redis.ts'
import type { JourneyJob } from '../../src/queue/jobs.ts'
import { JOURNEY_WORKER_SETTINGS } from '../../src/queue/options.ts'
import { publishResult } from '../../src/queue/results-stream.ts'
import { runIdForJob } from '../../src/queue/run-id.ts'
import { startWorkerHeartbeat } from '../../src/queue/worker-heartbeat.ts'

// One worker process of bench/fleet.ts: a journey worker of one region as
// src/queue/journey-worker.ts is (its queue, BullMQ settings, run ids,
// heartbeat, results stream), with a stub journey instead of a browser: a
// kept result after FLEET_WALK_MS. It reports each job's schedule drift
// (taken minus due) to its parent, a batch a second.

const region = process.env.FLEET_REGION!
const prefix = process.env.FLEET_PREFIX!
const target: RedisTarget = process.env.FLEET_CLUSTER ? { clusterNodes: JSON.parse(process.env.FLEET_CLUSTER) } : { url: process.env.FLEET_REDIS_URL! }
const walkMs = Number(process.env.FLEET_WALK_MS ?? '20')
const workerId = `fleet-${region}-${process.pid}`

const connection = createRedisConnection(target, { worker: true })
const heartbeat = startWorkerHeartbeat({ redis: connection, prefix, region, workerId, concurrency: Number(process.env.FLEET_CONCURRENCY ?? '50') })
let drifts: number[] = []
// Worker errors (a lock not renewed in time on a starved machine): counted, not printed one by one.
let errors = 0

const walk = async (job: Job<JourneyJob>): Promise<void> => {
  const takenAt = Date.now()
  // A scheduled job is due at its timestamp plus its delay.
  drifts.push(takenAt - (job.timestamp + (job.opts.delay ?? 0)))
  await new Promise((resolve) => setTimeout(resolve, walkMs))
  const finishedAt = new Date()
  const result: RunResult = {
    runId: job.data.runId ?? runIdForJob(job.id!, region),
    promiseId: job.data.spec.promiseId,
    trigger: job.data.trigger,
    outcome: 'kept',
    clicks: 3,
    durationMs: walkMs,
    startedAt: new Date(takenAt).toISOString(),
    finishedAt: finishedAt.toISOString(),
    steps: [],
    failure: null,
    vitals: {},
    screenshotPath: null,
    tracePath: null,
    workerId,
    region,
  }
  await publishResult(connection, prefix, result)
}

const worker = new Worker<JourneyJob>(journeysQueueName(region), walk, {
  connection,
  prefix,
  concurrency: Number(process.env.FLEET_CONCURRENCY ?? '50'),
  ...JOURNEY_WORKER_SETTINGS,
  removeOnComplete: { count: 0 },
})
worker.on('error', () => void errors++)

const timer = setInterval(() => {
  if (drifts.length > 0 || errors > 0) process.send?.({ drifts, errors })
  drifts = []
  errors = 0
}, 1000)

process.on('SIGTERM', async () => {
  clearInterval(timer)
  if (drifts.length > 0 || errors > 0) process.send?.({ drifts, errors })
  await worker.close()
  await heartbeat.stop()
  connection.disconnect()
  process.exit(0)
})
