import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Queue } from 'bullmq'
import { startDemoShop } from '../src/demo/shop.tsx'
import { traceScheduledRuns } from '../src/domain/evidence.ts'
import { createRedisConnection } from '../src/infra/redis.ts'
import { enqueueRun } from '../src/queue/enqueue.ts'
import { QUEUES, type JourneyJob, type JourneySpec } from '../src/queue/jobs.ts'
import { resolveChromium } from '../src/runner/browser-path.ts'
import { orderJourney } from './lib/journey.ts'
import { treePssMb } from './lib/pss.ts'
import { intFromEnv, print, sleep, summarize, until, writeResult } from './lib/report.ts'
import { benchPrefix, deletePrefix, REDIS_URL } from './lib/services.ts'

// Memory per concurrent journey: a journey worker process (workers/journey.ts,
// as deployed) at concurrency C = 1, 2, 4. PSS of the worker and all its
// Chromium processes is sampled every 100 ms: idle (browser launched, no
// journey) and the peak while C journeys run at once; per journey =
// (peak − idle) / C. Needs Redis only, like the worker.

const LEVELS = (process.env.MEMORY_CONCURRENCY ?? '1,2,4').split(',').map(Number)
const REPS = intFromEnv('BENCH_REPS', 3, 1, 20)
const JOBS_PER_SLOT = intFromEnv('MEMORY_JOBS_PER_SLOT', 4, 1, 100)
const WORKER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../workers/journey.ts')

const shop = await startDemoShop({ port: 0 })
const connection = createRedisConnection(REDIS_URL, { worker: true })
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-bench-memory-'))
const spec: JourneySpec = {
  promiseId: randomUUID(),
  title: 'Order online in 3 clicks',
  journey: orderJourney(shop.url),
  checkFile: null,
  budgets: { maxClicks: 3, maxSeconds: 60 },
  device: 'desktop',
  secrets: {},
  // As the scheduler builds it for a promise with the default thresholds.
  traceScheduled: traceScheduledRuns({ confirmBroken: true, breakAfter: 2 }),
}

function startWorker(prefix: string, concurrency: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', WORKER], {
    detached: true, // its own process group: stopped with its Chromium
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      REDIS_URL,
      KEPT_QUEUE_PREFIX: prefix,
      KEPT_DATA_DIR: dataDir,
      KEPT_SECRET_KEY: randomBytes(32).toString('base64'),
      KEPT_WORKER_CONCURRENCY: String(concurrency),
      KEPT_CHROMIUM_PATH: resolveChromium(process.env)?.path ?? '/usr/bin/chromium',
      LOG_LEVEL: 'warn',
    },
  })
}

/** Enqueue `count` runs and sample the tree's PSS until all are done; returns the peak. */
async function loaded(queue: Queue<JourneyJob>, pid: number, count: number): Promise<{ peakMb: number; processes: number }> {
  const before = (await queue.getJobCounts('completed')).completed ?? 0
  for (let i = 0; i < count; i++) {
    const runId = randomUUID()
    await enqueueRun(queue, spec, { jobId: runId, runId, trigger: 'schedule' })
  }
  let peakMb = 0
  let processes = 0
  const deadline = Date.now() + 10 * 60_000
  for (;;) {
    const sample = treePssMb(pid)
    if (sample.mb > peakMb) ({ mb: peakMb, processes } = sample)
    const counts = await queue.getJobCounts('completed', 'failed')
    if ((counts.completed ?? 0) + (counts.failed ?? 0) - before >= count) break
    if (Date.now() > deadline) throw new Error('the journeys did not finish in 10 minutes')
    await sleep(100)
  }
  return { peakMb, processes }
}

async function idle(pid: number): Promise<number> {
  await sleep(2000)
  const samples: number[] = []
  for (let i = 0; i < 20; i++) {
    samples.push(treePssMb(pid).mb)
    await sleep(100)
  }
  return summarize(samples).median
}

const levels: Record<string, unknown> = {}
const perJourneyByLevel: Record<number, number[]> = {}
try {
  console.log(`memory: concurrency ${LEVELS.join(', ')}, ${REPS} repetitions, ${JOBS_PER_SLOT} journeys per slot\n`)
  for (const concurrency of LEVELS) {
    const prefix = benchPrefix('memory')
    const queue = new Queue<JourneyJob>(QUEUES.journeys, { connection, prefix })
    const child = startWorker(prefix, concurrency)
    try {
      await loaded(queue, child.pid!, concurrency) // warm-up: the browser is launched
      const idles: number[] = []
      const peaks: number[] = []
      const perJourney: number[] = []
      let processes = 0
      for (let rep = 0; rep < REPS; rep++) {
        const idleMb = await idle(child.pid!)
        const load = await loaded(queue, child.pid!, concurrency * JOBS_PER_SLOT)
        idles.push(idleMb)
        peaks.push(load.peakMb)
        processes = Math.max(processes, load.processes)
        perJourney.push((load.peakMb - idleMb) / concurrency)
        console.log(`  C=${concurrency} rep ${rep + 1}: idle ${idleMb.toFixed(0)} MB, peak ${load.peakMb.toFixed(0)} MB, ${perJourney.at(-1)!.toFixed(0)} MB per journey`)
      }
      const failed = (await queue.getJobCounts('failed')).failed ?? 0
      if (failed > 0) console.log(`  (${failed} journeys failed)`)
      perJourneyByLevel[concurrency] = perJourney
      levels[`C=${concurrency}`] = {
        idleMb: summarize(idles),
        peakMb: summarize(peaks),
        perJourneyMb: summarize(perJourney),
        peakProcesses: processes,
      }
    } finally {
      process.kill(-child.pid!, 'SIGTERM')
      await until(async () => child.exitCode !== null || child.signalCode !== null, 'the worker to stop', 15_000).catch(() =>
        process.kill(-child.pid!, 'SIGKILL'),
      )
      await queue.close()
      await deletePrefix(connection, prefix)
    }
  }
  console.log()
  for (const [c, values] of Object.entries(perJourneyByLevel)) print(`C=${c}: MB per journey beyond idle`, summarize(values), 'MB', 0)
  await writeResult('memory', {
    params: { concurrency: LEVELS, reps: REPS, journeysPerSlot: JOBS_PER_SLOT },
    target: { mbPerJourney: 120 },
    levels,
  })
} finally {
  connection.disconnect()
  await shop.close()
  await rm(dataDir, { recursive: true, force: true })
}
