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
import { figure, isMain, knob, runCli, type BenchOptions, type BenchReport } from './lib/cli.ts'
import { print, sleep, summarize, until, writeResult, type Summary } from './lib/report.ts'
import { benchPrefix, deletePrefix, REDIS_URL } from './lib/services.ts'

// Memory per concurrent journey: a journey worker process (workers/journey.ts,
// as deployed) at concurrency C = 1, 2, 4. PSS of the worker and all its
// Chromium processes is sampled every 100 ms: idle (browser launched, no
// journey) and the peak while C journeys run at once; per journey =
// (peak − idle) / C. Needs Redis only, like the worker.

const WORKER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../workers/journey.ts')

export interface MemoryOptions {
  concurrency: number[]
  reps: number
  jobsPerSlot: number
}

export interface MemoryLevel {
  idleMb: Summary
  peakMb: Summary
  /** (peak − idle) / C, repetition by repetition. */
  perJourneyMb: Summary
  peakProcesses: number
}

export interface MemoryFigures {
  params: { concurrency: number[]; reps: number; journeysPerSlot: number }
  levels: Record<string, MemoryLevel>
}

function orderSpec(shopUrl: string): JourneySpec {
  return {
    promiseId: randomUUID(),
    title: 'Order online in 3 clicks',
    journey: orderJourney(shopUrl),
    checkFile: null,
    budgets: { maxClicks: 3, maxSeconds: 60 },
    device: 'desktop',
    secrets: {},
    // As the scheduler builds it for a promise with the default thresholds.
    traceScheduled: traceScheduledRuns({ confirmBroken: true, breakAfter: 2 }),
  }
}

function startWorker(prefix: string, concurrency: number, dataDir: string): ChildProcess {
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
async function loaded(queue: Queue<JourneyJob>, spec: JourneySpec, pid: number, count: number): Promise<{ peakMb: number; processes: number }> {
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

/** Runs the memory benchmark and returns its figures (prints as it goes with `log`). */
export async function benchMemory(options: MemoryOptions, log: (line: string) => void = console.log): Promise<MemoryFigures> {
  const shop = await startDemoShop({ port: 0 })
  const connection = createRedisConnection(REDIS_URL, { worker: true })
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-bench-memory-'))
  const spec = orderSpec(shop.url)
  const levels: Record<string, MemoryLevel> = {}
  try {
    log(`memory: concurrency ${options.concurrency.join(', ')}, ${options.reps} repetitions, ${options.jobsPerSlot} journeys per slot\n`)
    for (const concurrency of options.concurrency) {
      const prefix = benchPrefix('memory')
      const queue = new Queue<JourneyJob>(QUEUES.journeys, { connection, prefix })
      const child = startWorker(prefix, concurrency, dataDir)
      try {
        await loaded(queue, spec, child.pid!, concurrency) // warm-up: the browser is launched
        const idles: number[] = []
        const peaks: number[] = []
        const perJourney: number[] = []
        let processes = 0
        for (let rep = 0; rep < options.reps; rep++) {
          const idleMb = await idle(child.pid!)
          const load = await loaded(queue, spec, child.pid!, concurrency * options.jobsPerSlot)
          idles.push(idleMb)
          peaks.push(load.peakMb)
          processes = Math.max(processes, load.processes)
          perJourney.push((load.peakMb - idleMb) / concurrency)
          log(`  C=${concurrency} rep ${rep + 1}: idle ${idleMb.toFixed(0)} MB, peak ${load.peakMb.toFixed(0)} MB, ${perJourney.at(-1)!.toFixed(0)} MB per journey`)
        }
        const failed = (await queue.getJobCounts('failed')).failed ?? 0
        if (failed > 0) log(`  (${failed} journeys failed)`)
        levels[`C=${concurrency}`] = { idleMb: summarize(idles), peakMb: summarize(peaks), perJourneyMb: summarize(perJourney), peakProcesses: processes }
      } finally {
        process.kill(-child.pid!, 'SIGTERM')
        await until(async () => child.exitCode !== null || child.signalCode !== null, 'the worker to stop', 15_000).catch(() =>
          process.kill(-child.pid!, 'SIGKILL'),
        )
        await queue.close()
        await deletePrefix(connection, prefix)
      }
    }
    return { params: { concurrency: options.concurrency, reps: options.reps, journeysPerSlot: options.jobsPerSlot }, levels }
  } finally {
    connection.disconnect()
    await shop.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

/** The benchmark as bench/all.ts asks for it. Quick: C = 2, 4, 5 repetitions of 2 journeys a slot. */
export async function bench(options: BenchOptions = {}): Promise<BenchReport> {
  const quick = options.quick === true
  const log = options.write === false ? (line: string) => console.error(line) : console.log
  const figures = await benchMemory(
    {
      concurrency: (process.env.MEMORY_CONCURRENCY ?? (quick ? '2,4' : '1,2,4')).split(',').map(Number),
      reps: knob(options, 'BENCH_REPS', 3, 5, 1, 20),
      jobsPerSlot: knob(options, 'MEMORY_JOBS_PER_SLOT', 4, 2, 1, 100),
    },
    log,
  )
  if (options.write !== false) {
    console.log()
    for (const [level, v] of Object.entries(figures.levels)) print(`${level}: MB per journey beyond idle`, v.perJourneyMb, 'MB', 0)
    await writeResult('memory', { ...figures, target: { mbPerJourney: { 'C=2': 75, 'C=4': 60 } } })
  }
  const goals: Record<string, number> = { 'C=2': 75, 'C=4': 60 }
  return {
    benchmark: 'memory',
    quick,
    params: figures.params,
    figures: Object.entries(figures.levels).map(([level, v]) =>
      figure(`PSS a concurrent journey beyond idle, ${level}`, v.perJourneyMb, 'MB', goals[level] ? { op: '≤', value: goals[level] } : undefined),
    ),
  }
}

if (isMain(import.meta)) await runCli(bench)
