import { fork, type ChildProcess } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import { clusterPrefix } from '../src/config/redis-cluster.ts'
import { createRedisConnection, type RedisTarget } from '../src/infra/redis.ts'
import { JourneyQueues } from '../src/queue/journey-queues.ts'
import { liveRegions } from '../src/queue/regions.ts'
import { resultsBacklog } from '../src/queue/results-stream.ts'
import { Scheduler } from '../src/queue/scheduler.ts'
import { startRecorder } from '../src/recorder/recorder.ts'
import { startRedisCluster, redisClusterMissing, type TestRedisCluster } from '../test/support/redis-cluster.ts'
import { intFromEnv, percentile, writeResult } from './lib/report.ts'
import { benchDatabase, benchPrefix, deletePrefix, REDIS_URL } from './lib/services.ts'

// A fleet on this machine (issue 20, Benchmarks): one control plane (the
// scheduler's job schedulers, the recorder) and FLEET_WORKERS worker
// processes of two regions (bench/lib/fleet-worker.ts: BullMQ workers of
// their region's queue with a stub journey, no browser), FLEET_PROMISES
// promises each walked every FLEET_EVERY_SECONDS in one region (half eu,
// half us). After a warm-up, over FLEET_MEASURE_SECONDS: jobs taken by the
// workers a second (dispatched), runs committed by the recorder a second
// (recorded), and how late each job was taken after it was due (schedule
// drift, p50/p99). On the single Redis and on a 3-master Redis Cluster
// started here, side by side. The load is 100,000 promises every 5
// minutes, 333 walks a second; 20,000 every minute is the same rate.

const PROMISES = intFromEnv('FLEET_PROMISES', 100_000, 2, 1_000_000)
const EVERY = intFromEnv('FLEET_EVERY_SECONDS', 300, 30, 3600)
const WORKERS = intFromEnv('FLEET_WORKERS', 4, 2, 16)
const WARMUP = intFromEnv('FLEET_WARMUP_SECONDS', 20, 0, 600)
const MEASURE = intFromEnv('FLEET_MEASURE_SECONDS', 120, 5, 3600)
const TARGETS = (process.env.FLEET_REDIS ?? 'single,cluster').split(',').map((t) => t.trim())
const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib/fleet-worker.ts')
const REGIONS = ['eu', 'us']

interface FleetResult {
  redis: string
  reconcileSeconds: number
  needPerSecond: number
  jobsPerSecond: number
  resultsPerSecond: number
  driftMs: { p50: number; p99: number; max: number; n: number }
  backlogAtEnd: { waitingJobs: number; results: number }
  /** BullMQ worker errors while measured: locks not renewed in time (the job is walked again, recorded once). */
  workerErrors: number
  loadAverage: number
}

async function runFleet(kind: string): Promise<FleetResult> {
  let cluster: TestRedisCluster | undefined
  let target: RedisTarget = { url: REDIS_URL }
  let prefix = benchPrefix('fleet')
  if (kind === 'cluster') {
    const missing = redisClusterMissing()
    if (missing) throw new Error(`no cluster: ${missing}`)
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 })
    target = { clusterNodes: cluster.nodes }
    prefix = clusterPrefix(prefix)
  }
  const database = await benchDatabase('fleet')
  const connection = createRedisConnection(target, { worker: true })
  const workers: ChildProcess[] = []
  try {
    await database.db.execute(sql`insert into promises (title, journey, schedule_every_seconds, regions)
      select 'Order online #' || n, 'go to https://shop.example.com/', ${EVERY},
             case when n % 2 = 0 then '["eu"]'::jsonb else '["us"]'::jsonb end
      from generate_series(1, ${PROMISES}) n`)
    const recorder = startRecorder({ connection, prefix, db: database.db })
    let measuring = false
    const drifts: number[] = []
    let workerErrors = 0
    for (let i = 0; i < WORKERS; i++) {
      const child = fork(WORKER, [], {
        execArgv: ['--import', 'tsx'],
        env: {
          ...process.env,
          FLEET_REGION: REGIONS[i % REGIONS.length],
          FLEET_PREFIX: prefix,
          ...(cluster ? { FLEET_CLUSTER: JSON.stringify(cluster.nodes) } : { FLEET_REDIS_URL: REDIS_URL }),
        },
      })
      child.on('message', (message: { drifts: number[]; errors: number }) => {
        if (measuring) drifts.push(...message.drifts)
        if (measuring) workerErrors += message.errors
      })
      workers.push(child)
    }
    while ((await liveRegions(connection, prefix)).length < REGIONS.length) await new Promise((r) => setTimeout(r, 200))
    // Workers and recorder first: the schedulers' first jobs fall due while the rest are still being upserted.
    const queues = new JourneyQueues(connection, prefix)
    const scheduler = new Scheduler({ db: database.db, queue: queues.of('local'), queues, redis: connection, prefix })
    let started = performance.now()
    await scheduler.reconcile()
    const reconcileSeconds = (performance.now() - started) / 1000
    console.log(`  ${kind}: ${PROMISES} schedulers in ${reconcileSeconds.toFixed(1)} s`)

    await new Promise((r) => setTimeout(r, WARMUP * 1000))

    const count = async () => Number(((await database.db.execute(sql`select count(*)::int as n from runs`)) as unknown as { n: number }[])[0]!.n)
    const runsBefore = await count()
    measuring = true
    started = performance.now()
    await new Promise((r) => setTimeout(r, MEASURE * 1000))
    measuring = false
    const seconds = (performance.now() - started) / 1000
    const runsAfter = await count()
    const waiting = await Promise.all(REGIONS.map((region) => queues.of(region).getWaitingCount()))
    const backlog = await resultsBacklog(connection, prefix)
    for (const child of workers) child.kill('SIGTERM')
    await Promise.all(workers.map((child) => new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)))))
    await recorder.close()
    await queues.close()
    return {
      redis: kind,
      reconcileSeconds,
      needPerSecond: PROMISES / EVERY,
      jobsPerSecond: drifts.length / seconds,
      resultsPerSecond: (runsAfter - runsBefore) / seconds,
      driftMs: { p50: percentile(drifts, 50), p99: percentile(drifts, 99), max: Math.max(...drifts), n: drifts.length },
      backlogAtEnd: { waitingJobs: waiting.reduce((a, b) => a + b, 0), results: backlog.waiting },
      workerErrors,
      loadAverage: os.loadavg()[0]!,
    }
  } finally {
    for (const child of workers) if (child.exitCode === null) child.kill('SIGKILL')
    if (!cluster) await deletePrefix(connection as never, prefix).catch(() => {})
    connection.disconnect()
    await database.drop()
    await cluster?.stop()
  }
}

console.log(`fleet: ${PROMISES} promises every ${EVERY} s (${(PROMISES / EVERY).toFixed(0)} walks/s needed), ${WORKERS} workers of ${REGIONS.join(' and ')}, ${WARMUP} s warm-up, ${MEASURE} s measured\n`)
const results: FleetResult[] = []
for (const kind of TARGETS) results.push(await runFleet(kind))
console.log()
console.log('redis      need/s  jobs/s  results/s  drift p50  drift p99  drift max  waiting at end, worker errors, load')
for (const r of results) {
  console.log(
    `${r.redis.padEnd(9)} ${r.needPerSecond.toFixed(0).padStart(7)} ${r.jobsPerSecond.toFixed(0).padStart(7)} ${r.resultsPerSecond.toFixed(0).padStart(10)} ` +
      `${(r.driftMs.p50 + ' ms').padStart(10)} ${(r.driftMs.p99 + ' ms').padStart(10)} ${(r.driftMs.max + ' ms').padStart(10)}  ${r.backlogAtEnd.waitingJobs} jobs, ${r.backlogAtEnd.results} results, ${r.workerErrors} errors, load ${r.loadAverage.toFixed(1)}`,
  )
}
await writeResult('fleet', { params: { promises: PROMISES, everySeconds: EVERY, workers: WORKERS, warmupSeconds: WARMUP, measureSeconds: MEASURE }, results })
process.exit(0)
