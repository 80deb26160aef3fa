import { randomUUID } from 'node:crypto'
import { Queue, Worker } from 'bullmq'
import { sql } from 'drizzle-orm'
import type { Redis } from 'ioredis'
import type { Db } from '../src/db/client.ts'
import type { Outcome, RunResult } from '../src/domain/run.ts'
import { createRedisConnection } from '../src/infra/redis.ts'
import { QUEUES, type ResultJob } from '../src/queue/jobs.ts'
import { RESULT_JOB_OPTIONS } from '../src/queue/options.ts'
import { DEFAULT_RECORDER_CONCURRENCY, startRecorder } from '../src/recorder/recorder.ts'
import { intFromEnv, print, summarize, writeResult } from './lib/report.ts'
import { benchDatabase, benchPrefix, obliterateQueues, REDIS_URL } from './lib/services.ts'

// Results recorded per second: enqueue RECORD_RESULTS synthetic results
// for RECORD_PROMISES promises on the "results" queue, start the recorder,
// and time until every run is in Postgres (committed). The baseline is a
// bare BullMQ worker that does nothing with the same jobs: the ceiling
// the queue itself allows on this machine.

const RESULTS = intFromEnv('RECORD_RESULTS', 20_000, 1, 200_000)
const PROMISES = intFromEnv('RECORD_PROMISES', 1_000, 1, 100_000)
const REPS = intFromEnv('BENCH_REPS', 3, 1, 20)
const CONCURRENCY = process.env.RECORD_CONCURRENCY ? intFromEnv('RECORD_CONCURRENCY', 1, 1, 10_000) : undefined
const LANES = process.env.RECORD_LANES ? intFromEnv('RECORD_LANES', 2, 1, 16) : undefined
const TIMEOUT_MS = intFromEnv('RECORD_TIMEOUT_MS', 600_000)

const STEPS = ['go to http://127.0.0.1:4100/', 'click "Shop now"', 'click "Add to cart"', 'click "Place order"', 'expect "Order confirmed"']

/** Results spread over the promises, each promise's runs 30 s apart; ~1% broken, ~1% at risk. */
function syntheticResults(promiseIds: string[], count: number, start: number): RunResult[] {
  return Array.from({ length: count }, (_, i) => {
    const promiseId = promiseIds[i % promiseIds.length]!
    const at = start + Math.floor(i / promiseIds.length) * 30_000 + (i % 1000)
    const outcome: Outcome = i % 97 === 0 ? 'broken' : i % 89 === 0 ? 'at_risk' : 'kept'
    const durationMs = 900 + (i % 13) * 50
    return {
      runId: randomUUID(),
      promiseId,
      trigger: 'schedule',
      outcome,
      clicks: 3,
      durationMs,
      startedAt: new Date(at).toISOString(),
      finishedAt: new Date(at + durationMs).toISOString(),
      steps: STEPS.map((text, s) => ({
        line: s + 1,
        text,
        outcome: outcome === 'broken' && s === 4 ? 'failed' : 'passed',
        durationMs: Math.round(durationMs / 5),
      })),
      failure: outcome === 'broken' ? { kind: 'step', line: 5, message: 'expected "Order confirmed", the page shows "Sorry, something went wrong"' } : null,
      vitals: { lcpMs: 300 + (i % 7) * 10 },
      screenshotPath: null,
      tracePath: null,
      workerId: 'bench',
    }
  })
}

async function enqueue(queue: Queue<ResultJob>, results: RunResult[]): Promise<void> {
  for (let i = 0; i < results.length; i += 1000) {
    await queue.addBulk(
      results.slice(i, i + 1000).map((r) => ({ name: 'result', data: r, opts: { ...RESULT_JOB_OPTIONS, jobId: r.runId } })),
    )
  }
}

async function resetRuns(db: Db): Promise<void> {
  await db.execute(sql`truncate runs, run_rollups, breaks cascade`)
  await db.execute(sql`update promises set state = 'pending', consecutive_broken = 0, consecutive_kept = 0,
    open_break_id = null, last_run_id = null, last_run_at = null`)
}

/** Seconds for a bare BullMQ worker (no-op processor) to drain the same jobs. */
async function bareQueue(connection: Redis, results: RunResult[], concurrency: number): Promise<number> {
  const prefix = benchPrefix('record-bare')
  const queue = new Queue<ResultJob>(QUEUES.results, { connection, prefix })
  await enqueue(queue, results)
  let done = 0
  const started = performance.now()
  let finish!: () => void
  const finished = new Promise<void>((resolve) => (finish = resolve))
  const worker = new Worker<ResultJob>(QUEUES.results, async () => void (++done === results.length && finish()), {
    connection,
    prefix,
    concurrency,
  })
  await finished
  const seconds = (performance.now() - started) / 1000
  await worker.close()
  await queue.close()
  await obliterateQueues(connection, prefix)
  return seconds
}

async function keptRecorder(connection: Redis, db: Db, results: RunResult[]): Promise<{ seconds: number; recorded: number }> {
  const prefix = benchPrefix('record')
  const queue = new Queue<ResultJob>(QUEUES.results, { connection, prefix })
  await enqueue(queue, results)
  let recorded = 0
  const started = performance.now()
  let finish!: () => void
  const finished = new Promise<void>((resolve) => (finish = resolve))
  const recorder = startRecorder({
    connection,
    prefix,
    db,
    ...(CONCURRENCY ? { concurrency: CONCURRENCY } : {}),
    ...(LANES ? { lanes: LANES } : {}),
    onRecorded: () => void (++recorded === results.length && finish()),
  })
  const timeout = setTimeout(() => finish(), TIMEOUT_MS)
  await finished
  const seconds = (performance.now() - started) / 1000
  clearTimeout(timeout)
  await recorder.close()
  await queue.close()
  await obliterateQueues(connection, prefix)
  const [row] = (await db.execute(sql`select count(*)::int as n from runs`)) as unknown as { n: number }[]
  return { seconds, recorded: row!.n }
}

const database = await benchDatabase('record', { max: 10 })
const connection = createRedisConnection(REDIS_URL, { worker: true })
try {
  const { db } = database
  await db.execute(sql`insert into promises (title, journey, schedule_every_seconds)
    select 'Order online in 3 clicks #' || n, 'go to http://127.0.0.1:4100/', 60 from generate_series(1, ${PROMISES}) n`)
  const ids = (await db.execute(sql`select id from promises order by id`)) as unknown as { id: string }[]
  const promiseIds = ids.map((r) => r.id)
  console.log(`record: ${RESULTS} results for ${PROMISES} promises, ${REPS} repetitions, recorder concurrency ${CONCURRENCY ?? 'default'}, lanes ${LANES ?? 'default'}\n`)

  const kept: number[] = []
  const bare: number[] = []
  for (let rep = 0; rep < REPS; rep++) {
    const results = syntheticResults(promiseIds, RESULTS, Date.parse('2030-01-07T00:00:00Z') + rep * 86_400_000)
    await resetRuns(db)
    const run = await keptRecorder(connection, db, results)
    if (run.recorded !== RESULTS) throw new Error(`expected ${RESULTS} runs in Postgres, found ${run.recorded}`)
    kept.push(RESULTS / run.seconds)
    bare.push(RESULTS / (await bareQueue(connection, results, CONCURRENCY ?? DEFAULT_RECORDER_CONCURRENCY)))
    console.log(`  rep ${rep + 1}: Kept ${kept.at(-1)!.toFixed(0)}/s, bare BullMQ ${bare.at(-1)!.toFixed(0)}/s`)
  }
  const keptSummary = summarize(kept)
  const bareSummary = summarize(bare)
  console.log()
  print('Kept recorder (results/s)', keptSummary, 'results/s', 0)
  print('bare BullMQ no-op worker', bareSummary, 'jobs/s', 0)
  print('ratio Kept / bare', summarize(kept.map((k, i) => k / bare[i]!)), '', 2)
  await writeResult('record', {
    params: { results: RESULTS, promises: PROMISES, reps: REPS, recorderConcurrency: CONCURRENCY ?? 'default', recorderLanes: LANES ?? 'default' },
    target: { resultsPerSecond: 5000 },
    keptResultsPerSecond: keptSummary,
    bareBullmqJobsPerSecond: bareSummary,
    ratio: summarize(kept.map((k, i) => k / bare[i]!)),
    runs: { kept, bare },
  })
} finally {
  connection.disconnect()
  await database.drop()
}
