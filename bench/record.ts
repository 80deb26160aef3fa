import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { Redis } from 'ioredis'
import type { Db } from '../src/db/client.ts'
import type { Outcome, RunResult } from '../src/domain/run.ts'
import { createRedisConnection } from '../src/infra/redis.ts'
import { resultsKey } from '../src/queue/results-stream.ts'
import { DEFAULT_RECORDER_BATCH, startRecorder } from '../src/recorder/recorder.ts'
import { resultsReader } from '../src/recorder/results-reader.ts'
import { intFromEnv, print, summarize, writeResult } from './lib/report.ts'
import { figure, isMain, knob, runCli, type BenchOptions, type BenchReport } from './lib/cli.ts'
import { benchDatabase, benchPrefix, deletePrefix, REDIS_URL } from './lib/services.ts'

// Results recorded per second: publish RECORD_RESULTS synthetic results
// for RECORD_PROMISES promises on the results stream, start the recorder,
// and time until every run is in Postgres (committed). The baseline is a
// bare consumer that reads and acknowledges the same entries in the same
// batches and does nothing else: the ceiling the stream itself allows on
// this machine.

// Quick (--quick): 5,000 results, 5 repetitions.

const BATCH = process.env.RECORD_BATCH ? intFromEnv('RECORD_BATCH', 1, 1, 10_000) : undefined
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

/** Published as journey workers do (publishResult), a thousand commands per round trip. */
async function publish(connection: Redis, prefix: string, results: RunResult[]): Promise<void> {
  for (let i = 0; i < results.length; i += 1000) {
    const pipeline = connection.pipeline()
    for (const r of results.slice(i, i + 1000)) pipeline.xadd(resultsKey(prefix), '*', 'result', JSON.stringify(r))
    await pipeline.exec()
  }
}

async function resetRuns(db: Db): Promise<void> {
  await db.execute(sql`truncate runs, run_rollups, breaks cascade`)
  await db.execute(sql`update promises set state = 'pending', consecutive_broken = 0, consecutive_kept = 0,
    open_break_id = null, last_run_id = null, last_run_at = null`)
}

/** Seconds for a bare consumer (read a batch, acknowledge it, nothing else) to drain the same entries. */
async function bareStream(connection: Redis, results: RunResult[], batch: number): Promise<number> {
  const prefix = benchPrefix('record-bare')
  await publish(connection, prefix, results)
  const reader = resultsReader(connection, connection, prefix, 'bench')
  await reader.ensureGroup()
  const started = performance.now()
  for (let done = 0; done < results.length; ) {
    const entries = await reader.readNew(batch, 1000)
    await reader.acknowledge(entries.map((entry) => entry.id))
    done += entries.length
  }
  const seconds = (performance.now() - started) / 1000
  await deletePrefix(connection, prefix)
  return seconds
}

async function keptRecorder(connection: Redis, db: Db, results: RunResult[]): Promise<{ seconds: number; recorded: number }> {
  const prefix = benchPrefix('record')
  await publish(connection, prefix, results)
  let recorded = 0
  const started = performance.now()
  let finish!: () => void
  const finished = new Promise<void>((resolve) => (finish = resolve))
  const recorder = startRecorder({
    connection,
    prefix,
    db,
    ...(BATCH ? { batchSize: BATCH } : {}),
    ...(LANES ? { lanes: LANES } : {}),
    onRecorded: () => void (++recorded === results.length && finish()),
  })
  const timeout = setTimeout(() => finish(), TIMEOUT_MS)
  await finished
  const seconds = (performance.now() - started) / 1000
  clearTimeout(timeout)
  await recorder.close()
  await deletePrefix(connection, prefix)
  const [row] = (await db.execute(sql`select count(*)::int as n from runs`)) as unknown as { n: number }[]
  return { seconds, recorded: row!.n }
}

export async function bench(options: BenchOptions = {}): Promise<BenchReport> {
  const RESULTS = knob(options, 'RECORD_RESULTS', 20_000, 5_000, 1, 200_000)
  const PROMISES = knob(options, 'RECORD_PROMISES', 1_000, 1_000, 1, 100_000)
  const REPS = knob(options, 'BENCH_REPS', 5, 5, 1, 20)

  const database = await benchDatabase('record', { max: 10 })
  const connection = createRedisConnection(REDIS_URL, { worker: true })
  try {
    const { db } = database
    await db.execute(sql`insert into promises (title, journey, schedule_every_seconds)
      select 'Order online in 3 clicks #' || n, 'go to http://127.0.0.1:4100/', 60 from generate_series(1, ${PROMISES}) n`)
    const ids = (await db.execute(sql`select id from promises order by id`)) as unknown as { id: string }[]
    const promiseIds = ids.map((r) => r.id)
    console.log(`record: ${RESULTS} results for ${PROMISES} promises, ${REPS} repetitions, recorder batch ${BATCH ?? 'default'}, lanes ${LANES ?? 'default'}\n`)

    const kept: number[] = []
    const bare: number[] = []
    for (let rep = 0; rep < REPS; rep++) {
      const results = syntheticResults(promiseIds, RESULTS, Date.parse('2030-01-07T00:00:00Z') + rep * 86_400_000)
      await resetRuns(db)
      const run = await keptRecorder(connection, db, results)
      if (run.recorded !== RESULTS) throw new Error(`expected ${RESULTS} runs in Postgres, found ${run.recorded}`)
      kept.push(RESULTS / run.seconds)
      bare.push(RESULTS / (await bareStream(connection, results, BATCH ?? DEFAULT_RECORDER_BATCH)))
      console.log(`  rep ${rep + 1}: Kept ${kept.at(-1)!.toFixed(0)}/s, bare stream ${bare.at(-1)!.toFixed(0)}/s`)
    }
    const keptSummary = summarize(kept)
    const bareSummary = summarize(bare)
    console.log()
    print('Kept recorder (results/s)', keptSummary, 'results/s', 0)
    print('bare stream read + ack', bareSummary, 'entries/s', 0)
    print('ratio Kept / bare', summarize(kept.map((k, i) => k / bare[i]!)), '', 2)
    const params = { results: RESULTS, promises: PROMISES, reps: REPS, recorderBatch: BATCH ?? 'default', recorderLanes: LANES ?? 'default' }
    const figures = [
      figure(`record: results recorded a second (${RESULTS} waiting)`, keptSummary, '/s', { op: '≥', value: 5000, text: '≥ 5,000/s' }),
      figure('record: Kept ÷ bare stream read + ack', summarize(kept.map((k, i) => k / bare[i]!)), '×'),
    ]
    if (options.write !== false) await writeResult('record', {
      params,
      target: { resultsPerSecond: 5000 },
      keptResultsPerSecond: keptSummary,
      bareStreamEntriesPerSecond: bareSummary,
      ratio: summarize(kept.map((k, i) => k / bare[i]!)),
      runs: { kept, bare },
    })
    return { benchmark: 'record', quick: options.quick === true, params, figures }
  } finally {
    connection.disconnect()
    await database.drop()
  }
}

if (isMain(import.meta)) await runCli(bench)
