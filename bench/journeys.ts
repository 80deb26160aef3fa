import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { resolveChromium } from '../src/runner/browser-path.ts'
import { BrowserPool } from '../src/runner/browser-pool.ts'
import { CHROMIUM_ARGS, MACHINE_ARGS } from '../src/runner/chromium-args.ts'
import { runJourney } from '../src/runner/run-journey.ts'
import { launchedPid, ownCpuSeconds, treeCpuSeconds } from './lib/cpu.ts'
import { inLanes, walkBare } from './lib/journey.ts'
import { startKept, type KeptHarness } from './lib/kept.ts'
import { figure, isMain, knob, runCli, type BenchOptions, type BenchReport } from './lib/cli.ts'
import { print, summarize, writeResult, type Summary } from './lib/report.ts'
import { benchDatabase } from './lib/services.ts'
import { startShopProcess } from './lib/shop-process.ts'

// Journey overhead: the same 3-click order journey in the demo shop,
// (a) bare: a playwright-core script reusing one browser, a fresh context
//     per run, C at once, on Playwright's launch defaults and the flags
//     this machine needs (MACHINE_ARGS), as a team's script would be;
// (b) Kept end to end: runs enqueued on "journeys" → journey worker at the
//     same concurrency → results stream → recorder → committed in Postgres.
// For each concurrency C (JOURNEYS_CONCURRENCY, e.g. "1,2,4"): throughput
// is runs over wall time for a batch of JOURNEYS_RUNS; latency is per run
// (bare: context open to closed; Kept: job taken to committed); CPU a run
// is the user + system time of this process and of the arm's own Chromium
// process tree over the batch, divided by its runs. The shop runs in a
// process of its own, so neither arm's CPU holds its serving; Kept's holds
// its queue and recorder (same process), not Redis's nor Postgres's.
// The two alternate, and which goes first alternates too.
// JOURNEYS_ATTRIBUTION=1 adds three variants, to see where Kept's cost lies:
// Kept's runner called directly (no queue, no recorder), the bare script
// recording a Playwright trace on every run (what Kept's scheduled runs no
// longer do, see src/domain/evidence.ts), and the bare script on Kept's
// Chromium flags (what Kept's walks cost beyond the browser's set-up).

export interface JourneysOptions {
  concurrency: number[]
  runs: number
  reps: number
  attribution: boolean
  /** Adds Kept end to end with no context prepared ahead (prepareAhead 0): the A/B of that change, in the same run. */
  unprepared?: boolean
}

export interface ArmFigures {
  runsPerSecond: Summary
  latencyMs: Summary
  /** CPU seconds (user + system) a run: this process and the arm's Chromium tree. */
  cpuSecondsPerRun: Summary
  /** The same split: this process's share, and Chromium's. */
  cpuSplit: { node: Summary; chromium: Summary }
}

export interface JourneysLevel {
  concurrency: number
  bare: ArmFigures
  kept: ArmFigures & { walkMs: Summary; outcomes: Record<string, number> }
  /** Kept ÷ bare runs/s, repetition by repetition (goal ≥ 1.0). */
  ratio: Summary
  /** Kept ÷ bare CPU seconds a run, repetition by repetition (goal ≤ 1.05). */
  cpuRatio: Summary
  attribution: Record<string, ArmFigures>
  raw: { bareThroughput: number[]; keptThroughput: number[]; bareCpu: number[]; keptCpu: number[] }
  /** With unprepared: Kept ÷ Kept with no context prepared ahead, repetition by repetition. */
  preparedOverUnprepared?: { runsPerSecond: Summary; cpu: Summary }
}

export interface JourneysFigures {
  params: { concurrency: number[]; runsPerRep: number; reps: number }
  levels: Record<string, JourneysLevel>
}

class Arm {
  throughput: number[] = []
  latency: number[] = []
  cpu: number[] = []
  nodeCpu: number[] = []
  chromiumCpu: number[] = []

  constructor(private readonly chromiumPid: () => number) {}

  /** Runs one batch of `runs`, timing it and counting its CPU (and that of `after`: work the batch left running, untimed). */
  async batch(runs: number, task: () => Promise<number[]>, after?: () => Promise<void>): Promise<void> {
    const pid = this.chromiumPid()
    const node0 = ownCpuSeconds()
    const chrome0 = treeCpuSeconds(pid)
    const began = performance.now()
    const latencies = await task()
    const seconds = (performance.now() - began) / 1000
    await after?.()
    const node = ownCpuSeconds() - node0
    const chrome = treeCpuSeconds(pid) - chrome0
    this.throughput.push(runs / seconds)
    this.latency.push(...latencies)
    this.nodeCpu.push(node / runs)
    this.chromiumCpu.push(chrome / runs)
    this.cpu.push((node + chrome) / runs)
  }

  figures(): ArmFigures {
    return {
      runsPerSecond: summarize(this.throughput),
      latencyMs: summarize(this.latency),
      cpuSecondsPerRun: summarize(this.cpu),
      cpuSplit: { node: summarize(this.nodeCpu), chromium: summarize(this.chromiumCpu) },
    }
  }
}

// The bare script gets the flags this machine needs and Playwright's defaults, as a team's would;
// with attribution, once more with Kept's own (src/runner/chromium-args.ts).
const launchBrowser = (args = MACHINE_ARGS) => launchedPid<Browser>(() => chromium.launch({ executablePath: resolveChromium(process.env)?.path, args }))

async function level(concurrency: number, options: JourneysOptions, shopUrl: string, log: (line: string) => void): Promise<JourneysLevel> {
  const { runs, reps } = options
  const database = await benchDatabase('journeys')
  const bareBrowser = await launchBrowser()
  let kept: { value: KeptHarness; pid: number } | null = null
  let keptUnprepared: { value: KeptHarness; pid: number } | null = null
  // Each variant walks in a browser of its own, so no browser serves more
  // runs than another's and carries their wear.
  let variantPool: { value: BrowserPool; pid: number } | null = null
  let tracing: { value: Browser; pid: number } | null = null
  let flagged: { value: Browser; pid: number } | null = null
  try {
    kept = await launchedPid(() => startKept({ db: database.db, shopUrl, concurrency }))
    const harness = kept.value
    if (options.unprepared) {
      keptUnprepared = await launchedPid(() => startKept({ db: database.db, shopUrl, concurrency, prepareAhead: 0 }))
      await keptUnprepared.value.batch(concurrency * 2)
    }
    if (options.attribution) {
      const pool = new BrowserPool({ executablePath: resolveChromium(process.env)?.path })
      variantPool = await launchedPid(async () => (await pool.acquire(), pool))
      tracing = await launchBrowser()
      flagged = await launchBrowser(CHROMIUM_ARGS)
    }
    // Warm up both (first contexts, JIT, connections): one wave each; the
    // arms take turns to go first, so what is left of it favours neither.
    await inLanes(concurrency, concurrency, () => walkBare(bareBrowser.value, shopUrl))
    await harness.batch(concurrency)

    const bare = new Arm(() => bareBrowser.pid)
    const keptArm = new Arm(() => kept!.pid)
    const walks: number[] = []
    const outcomes: Record<string, number> = {}
    const variants: Record<string, { arm: Arm; task: () => Promise<unknown> }> = {}
    if (variantPool && tracing && flagged) {
      const pool = variantPool.value
      const browser = tracing.value
      const flaggedBrowser = flagged.value
      variants['Kept runner alone'] = {
        arm: new Arm(() => variantPool!.pid),
        task: () => runJourney(pool, harness.spec, { runId: randomUUID(), trigger: 'schedule', dataDir: harness.dataDir, workerId: 'bench', decryptSecret: (v) => v }),
      }
      variants['bare + trace'] = { arm: new Arm(() => tracing!.pid), task: () => walkBare(browser, shopUrl, { trace: true }) }
      variants["bare + Kept's Chromium flags"] = { arm: new Arm(() => flagged!.pid), task: () => walkBare(flaggedBrowser, shopUrl) }
    }
    const bareBatch = () => bare.batch(runs, () => inLanes(runs, concurrency, () => walkBare(bareBrowser.value, shopUrl)))
    const keptBatch = (arm: Arm, h: KeptHarness, record: boolean) => () =>
      arm.batch(runs, async () => {
        const batch = await h.batch(runs)
        for (const run of batch.runs) {
          const key = `${run.outcome}, ${run.clicks} clicks`
          if (!record) {
            if (run.outcome !== 'kept') outcomes[`unprepared: ${key}`] = (outcomes[`unprepared: ${key}`] ?? 0) + 1
            continue
          }
          walks.push(run.walkMs)
          outcomes[key] = (outcomes[key] ?? 0) + 1
        }
        return batch.runs.map((run) => run.latencyMs)
      }, () => h.pool.preparing()) // the context made for the next batch is this batch's cost
    const unpreparedArm = new Arm(() => keptUnprepared!.pid)
    // Each repetition starts with another arm: a machine that speeds up or
    // slows down during a repetition favours none.
    const order = [bareBatch, keptBatch(keptArm, harness, true), ...(keptUnprepared ? [keptBatch(unpreparedArm, keptUnprepared.value, false)] : [])]
    for (let rep = 0; rep < reps; rep++) {
      for (let i = 0; i < order.length; i++) await order[(rep + i) % order.length]!()
      for (const { arm, task } of Object.values(variants)) {
        await arm.batch(runs, () =>
          inLanes(runs, concurrency, async () => {
            const start = performance.now()
            await task()
            return performance.now() - start
          }),
        )
      }
      log(
        `  C=${concurrency} rep ${rep + 1}: bare ${bare.throughput.at(-1)!.toFixed(2)} runs/s ${bare.cpu.at(-1)!.toFixed(3)} CPU s/run, ` +
          `Kept ${keptArm.throughput.at(-1)!.toFixed(2)} runs/s ${keptArm.cpu.at(-1)!.toFixed(3)} CPU s/run` +
          (keptUnprepared ? `, Kept unprepared ${unpreparedArm.throughput.at(-1)!.toFixed(2)} runs/s ${unpreparedArm.cpu.at(-1)!.toFixed(3)} CPU s/run` : ''),
      )
    }
    return {
      concurrency,
      bare: bare.figures(),
      kept: { ...keptArm.figures(), walkMs: summarize(walks), outcomes },
      ratio: summarize(keptArm.throughput.map((k, i) => k / bare.throughput[i]!)),
      cpuRatio: summarize(keptArm.cpu.map((k, i) => k / bare.cpu[i]!)),
      attribution: {
        ...Object.fromEntries(Object.entries(variants).map(([name, { arm }]) => [name, arm.figures()])),
        ...(keptUnprepared ? { 'Kept, no context prepared ahead': unpreparedArm.figures() } : {}),
      },
      ...(keptUnprepared
        ? { preparedOverUnprepared: { runsPerSecond: summarize(keptArm.throughput.map((k, i) => k / unpreparedArm.throughput[i]!)), cpu: summarize(keptArm.cpu.map((k, i) => k / unpreparedArm.cpu[i]!)) } }
        : {}),
      raw: { bareThroughput: bare.throughput, keptThroughput: keptArm.throughput, bareCpu: bare.cpu, keptCpu: keptArm.cpu },
    }
  } finally {
    await kept?.value.close()
    await keptUnprepared?.value.close()
    await bareBrowser.value.close()
    await variantPool?.value.close()
    await tracing?.value.close()
    await flagged?.value.close()
    await database.drop()
  }
}

/** Runs the journeys benchmark and returns its figures (prints as it goes with `log`). */
export async function benchJourneys(options: JourneysOptions, log: (line: string) => void = console.log): Promise<JourneysFigures> {
  const shop = await startShopProcess()
  try {
    log(`journeys: ${options.runs} runs at concurrency ${options.concurrency.join(', ')}, ${options.reps} repetitions, shop ${shop.url} (own process)\n`)
    const levels: Record<string, JourneysLevel> = {}
    for (const c of options.concurrency) levels[`C=${c}`] = await level(c, options, shop.url, log)
    return { params: { concurrency: options.concurrency, runsPerRep: options.runs, reps: options.reps }, levels }
  } finally {
    await shop.close()
  }
}

function printLevel(l: JourneysLevel): void {
  const c = `C=${l.concurrency}`
  console.log()
  print(`${c} bare runs/s`, l.bare.runsPerSecond, 'runs/s', 2)
  print(`${c} Kept runs/s`, l.kept.runsPerSecond, 'runs/s', 2)
  print(`${c} ratio Kept / bare (goal ≥ 1.0)`, l.ratio, '', 2)
  print(`${c} bare CPU a run`, l.bare.cpuSecondsPerRun, 's', 3)
  print(`${c} Kept CPU a run`, l.kept.cpuSecondsPerRun, 's', 3)
  print(`${c} CPU ratio Kept / bare (goal ≤ 1.05)`, l.cpuRatio, '', 2)
  print(`${c} bare CPU: node / Chromium`, l.bare.cpuSplit.node, `s + ${l.bare.cpuSplit.chromium.median.toFixed(3)} s`, 3)
  print(`${c} Kept CPU: node / Chromium`, l.kept.cpuSplit.node, `s + ${l.kept.cpuSplit.chromium.median.toFixed(3)} s`, 3)
  print(`${c} bare latency per run`, l.bare.latencyMs, 'ms', 0)
  print(`${c} Kept latency (taken → committed)`, l.kept.latencyMs, 'ms', 0)
  print(`${c} Kept walk (runner-measured)`, l.kept.walkMs, 'ms', 0)
  for (const [name, data] of Object.entries(l.attribution)) {
    print(`${c} ${name} runs/s`, data.runsPerSecond, 'runs/s', 2)
    print(`${c} ${name} CPU a run`, data.cpuSecondsPerRun, 's', 3)
  }
  if (l.preparedOverUnprepared) {
    print(`${c} Kept ÷ Kept unprepared, runs/s`, l.preparedOverUnprepared.runsPerSecond, '', 2)
    print(`${c} Kept ÷ Kept unprepared, CPU a run`, l.preparedOverUnprepared.cpu, '', 2)
  }
  console.log(`${c} Kept outcomes:`, l.kept.outcomes)
}

function concurrencyFromEnv(fallback: string): number[] {
  const text = process.env.JOURNEYS_CONCURRENCY ?? fallback
  return text.split(',').map((c) => {
    const n = Number(c)
    if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`JOURNEYS_CONCURRENCY: expected integers from 1 to 16 separated by commas, got "${text}"`)
    return n
  })
}

/**
 * The benchmark as bench/all.ts asks for it. Quick: C = 1, 2, 4, 4 runs a
 * repetition, 5 repetitions (full: C = 2, 20 runs, 3 repetitions, unless the
 * environment says otherwise).
 */
export async function bench(options: BenchOptions = {}): Promise<BenchReport> {
  const quick = options.quick === true
  const log = options.write === false ? (line: string) => console.error(line) : console.log
  const figures = await benchJourneys(
    {
      concurrency: concurrencyFromEnv(quick ? '1,2,4' : '2'),
      runs: knob(options, 'JOURNEYS_RUNS', 20, 4, 1, 1000),
      reps: knob(options, 'BENCH_REPS', 3, 5, 1, 20),
      attribution: process.env.JOURNEYS_ATTRIBUTION === '1',
      unprepared: process.env.JOURNEYS_UNPREPARED === '1',
    },
    log,
  )
  if (options.write !== false) {
    for (const l of Object.values(figures.levels)) printLevel(l)
    // C=2's figures (else the first level's) stay at the top, as bench/summary.ts reads them; every level is under "levels".
    const first = figures.levels['C=2'] ?? Object.values(figures.levels)[0]!
    await writeResult('journeys', {
      params: { ...figures.params, concurrency: first.concurrency, levels: figures.params.concurrency },
      target: { ratio: 1.0, cpuRatio: 1.05 },
      bare: first.bare,
      kept: first.kept,
      ratio: first.ratio,
      cpuRatio: first.cpuRatio,
      attribution: first.attribution,
      levels: figures.levels,
    })
  }
  return {
    benchmark: 'journeys',
    quick,
    params: figures.params,
    figures: Object.values(figures.levels).flatMap((l) => [
      figure(`journeys/s at C=${l.concurrency}, Kept ÷ bare playwright-core`, l.ratio, '×', { op: '≥', value: 1.0 }),
      figure(`CPU s a journey at C=${l.concurrency}, Kept ÷ bare`, l.cpuRatio, '×', { op: '≤', value: 1.05 }),
    ]),
  }
}

if (isMain(import.meta)) await runCli(bench)
