import { randomUUID } from 'node:crypto'
import { chromium } from 'playwright-core'
import { startDemoShop } from '../src/demo/shop.tsx'
import { resolveChromium } from '../src/runner/browser-path.ts'
import { BrowserPool, CHROMIUM_ARGS } from '../src/runner/browser-pool.ts'
import { runJourney } from '../src/runner/run-journey.ts'
import { inLanes, walkBare } from './lib/journey.ts'
import { startKept } from './lib/kept.ts'
import { intFromEnv, print, summarize, writeResult } from './lib/report.ts'
import { benchDatabase } from './lib/services.ts'

// Journey overhead: the same 3-click order journey in the demo shop,
// (a) bare: a playwright-core script reusing one browser, a fresh context
//     per run, JOURNEYS_CONCURRENCY at once;
// (b) Kept end to end: runs enqueued on "journeys" → journey worker at the
//     same concurrency → "results" → recorder → committed in Postgres.
// Throughput is runs over wall time for a batch of JOURNEYS_RUNS; latency
// is per run (bare: context open to closed; Kept: job taken to committed).
// The two alternate, and which goes first alternates too.
// JOURNEYS_ATTRIBUTION=1 adds two variants, to see where Kept's cost lies:
// Kept's runner called directly (no queue, no recorder), and the bare
// script recording a Playwright trace on every run (what Kept's scheduled
// runs no longer do, see src/domain/evidence.ts).

const CONCURRENCY = intFromEnv('JOURNEYS_CONCURRENCY', 2, 1, 16)
const RUNS = intFromEnv('JOURNEYS_RUNS', 20, 1, 1000)
const REPS = intFromEnv('BENCH_REPS', 3, 1, 20)
const ATTRIBUTION = process.env.JOURNEYS_ATTRIBUTION === '1'

const shop = await startDemoShop({ port: 0 })
const database = await benchDatabase('journeys')
const browser = await chromium.launch({ executablePath: resolveChromium(process.env)?.path, args: CHROMIUM_ARGS })
const kept = await startKept({ db: database.db, shopUrl: shop.url, concurrency: CONCURRENCY })

// Each variant walks in a browser of its own, so no browser serves more
// runs than another's and carries their wear.
const variantPool = ATTRIBUTION ? new BrowserPool({ executablePath: resolveChromium(process.env)?.path }) : null
const tracingBrowser = ATTRIBUTION ? await chromium.launch({ executablePath: resolveChromium(process.env)?.path, args: CHROMIUM_ARGS }) : null
const runnerAlone = () =>
  runJourney(variantPool!, kept.spec, { runId: randomUUID(), trigger: 'schedule', dataDir: kept.dataDir, workerId: 'bench', decryptSecret: (v) => v })
const variants: Record<string, () => Promise<unknown>> = ATTRIBUTION
  ? { 'Kept runner alone': runnerAlone, 'bare + trace': () => walkBare(tracingBrowser!, shop.url, { trace: true }) }
  : {}

try {
  console.log(`journeys: ${RUNS} runs at concurrency ${CONCURRENCY}, ${REPS} repetitions, shop ${shop.url}\n`)
  // Warm up both (first contexts, JIT, connections).
  await inLanes(CONCURRENCY * 2, CONCURRENCY, () => walkBare(browser, shop.url))
  await kept.batch(CONCURRENCY * 2)

  const bare = { throughput: [] as number[], latency: [] as number[] }
  const keptRuns = { throughput: [] as number[], latency: [] as number[], walk: [] as number[] }
  const extra: Record<string, { throughput: number[]; latency: number[] }> = {}
  const outcomes: Record<string, number> = {}
  const walkBareBatch = async () => {
    const started = performance.now()
    const latencies = await inLanes(RUNS, CONCURRENCY, () => walkBare(browser, shop.url))
    bare.throughput.push(RUNS / ((performance.now() - started) / 1000))
    bare.latency.push(...latencies)
  }
  const walkKeptBatch = async () => {
    const batch = await kept.batch(RUNS)
    keptRuns.throughput.push(RUNS / batch.seconds)
    for (const run of batch.runs) {
      keptRuns.latency.push(run.latencyMs)
      keptRuns.walk.push(run.walkMs)
      outcomes[`${run.outcome}, ${run.clicks} clicks`] = (outcomes[`${run.outcome}, ${run.clicks} clicks`] ?? 0) + 1
    }
  }
  for (let rep = 0; rep < REPS; rep++) {
    // Bare first in even repetitions, Kept first in odd ones: a machine that
    // speeds up or slows down during a repetition favours neither.
    if (rep % 2 === 0) {
      await walkBareBatch()
      await walkKeptBatch()
    } else {
      await walkKeptBatch()
      await walkBareBatch()
    }

    for (const [name, task] of Object.entries(variants)) {
      const began = performance.now()
      const times = await inLanes(RUNS, CONCURRENCY, async () => {
        const start = performance.now()
        await task()
        return performance.now() - start
      })
      extra[name] ??= { throughput: [], latency: [] }
      extra[name].throughput.push(RUNS / ((performance.now() - began) / 1000))
      extra[name].latency.push(...times)
    }
    console.log(`  rep ${rep + 1}: bare ${bare.throughput.at(-1)!.toFixed(2)} runs/s, Kept ${keptRuns.throughput.at(-1)!.toFixed(2)} runs/s`)
  }

  const ratio = summarize(keptRuns.throughput.map((k, i) => k / bare.throughput[i]!))
  console.log()
  print('bare runs/s', summarize(bare.throughput), 'runs/s', 2)
  print('Kept runs/s', summarize(keptRuns.throughput), 'runs/s', 2)
  print('ratio Kept / bare (target ≥ 0.9)', ratio, '', 2)
  print('bare latency per run', summarize(bare.latency), 'ms', 0)
  print('Kept latency (taken → committed)', summarize(keptRuns.latency), 'ms', 0)
  print('Kept walk (runner-measured)', summarize(keptRuns.walk), 'ms', 0)
  for (const [name, data] of Object.entries(extra)) {
    print(`${name} runs/s`, summarize(data.throughput), 'runs/s', 2)
    print(`${name} latency`, summarize(data.latency), 'ms', 0)
  }
  console.log('Kept outcomes:', outcomes)
  await writeResult('journeys', {
    params: { concurrency: CONCURRENCY, runsPerRep: RUNS, reps: REPS },
    target: { ratio: 0.9 },
    bare: { runsPerSecond: summarize(bare.throughput), latencyMs: summarize(bare.latency) },
    kept: {
      runsPerSecond: summarize(keptRuns.throughput),
      latencyMs: summarize(keptRuns.latency),
      walkMs: summarize(keptRuns.walk),
      outcomes,
    },
    ratio,
    attribution: Object.fromEntries(
      Object.entries(extra).map(([name, data]) => [name, { runsPerSecond: summarize(data.throughput), latencyMs: summarize(data.latency) }]),
    ),
    raw: { bareThroughput: bare.throughput, keptThroughput: keptRuns.throughput },
  })
} finally {
  await kept.close()
  await browser.close()
  await variantPool?.close()
  await tracingBrowser?.close()
  await database.drop()
  await shop.close()
}
