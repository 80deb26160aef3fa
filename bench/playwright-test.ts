import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startDemoShop } from '../src/demo/shop.tsx'
import { startKept } from './lib/kept.ts'
import { figure, isMain, knob, runCli, type BenchOptions, type BenchReport } from './lib/cli.ts'
import { print, summarize, writeResult, type Summary } from './lib/report.ts'
import { benchDatabase } from './lib/services.ts'

// Against the way teams do it without Kept: the same journeys run by
// `npx playwright test --workers=2`, started PW_INVOCATIONS times as a cron
// would (one after another, each a fresh process: start-up, browser launch
// and report included), against Kept's worker at concurrency 2 walking the
// same number of journeys per batch. Journeys per minute, and the ratio.

const WORKERS = 2
const CONFIG = path.join(path.dirname(fileURLToPath(import.meta.url)), 'playwright', 'playwright.config.ts')

function playwrightTest(shopUrl: string, journeys: number): Promise<number> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['playwright', 'test', '--config', CONFIG, `--workers=${WORKERS}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, BENCH_SHOP_URL: shopUrl, BENCH_JOURNEYS: String(journeys), CI: '1' },
    })
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code === 0) resolve((performance.now() - started) / 1000)
      else reject(new Error(`npx playwright test exited with ${code}: ${stderr.slice(-2000)}`))
    })
  })
}

export interface PlaywrightTestOptions {
  journeysPerStart: number
  starts: number
}

export interface PlaywrightTestFigures {
  params: { journeysPerStart: number; starts: number; workers: number }
  playwrightTestJourneysPerMinute: Summary
  keptJourneysPerMinute: Summary
  /** Kept ÷ playwright test, start by start (goal ≥ 2.0). */
  ratio: Summary
  raw: { playwrightTest: number[]; kept: number[] }
}

/** Runs the comparison and returns its figures (prints as it goes with `log`). */
export async function benchPlaywrightTest(options: PlaywrightTestOptions, log: (line: string) => void = console.log): Promise<PlaywrightTestFigures> {
  const { journeysPerStart: journeys, starts } = options
  const shop = await startDemoShop({ port: 0 })
  const database = await benchDatabase('playwright_test')
  const kept = await startKept({ db: database.db, shopUrl: shop.url, concurrency: WORKERS })
  try {
    log(`playwright-test: ${journeys} journeys per start, ${starts} starts, ${WORKERS} workers\n`)
    await kept.batch(WORKERS * 2) // warm-up, as a long-running worker is
    const pw: number[] = []
    const keptRates: number[] = []
    for (let i = 0; i < starts; i++) {
      pw.push((journeys / (await playwrightTest(shop.url, journeys))) * 60)
      const batch = await kept.batch(journeys)
      const bad = batch.runs.filter((r) => r.outcome !== 'kept')
      if (bad.length > 0) throw new Error(`Kept runs not kept: ${bad.map((r) => r.outcome).join(', ')}`)
      keptRates.push((journeys / batch.seconds) * 60)
      log(`  start ${i + 1}: @playwright/test ${pw.at(-1)!.toFixed(1)}/min, Kept ${keptRates.at(-1)!.toFixed(1)}/min`)
    }
    return {
      params: { journeysPerStart: journeys, starts, workers: WORKERS },
      playwrightTestJourneysPerMinute: summarize(pw),
      keptJourneysPerMinute: summarize(keptRates),
      ratio: summarize(keptRates.map((k, i) => k / pw[i]!)),
      raw: { playwrightTest: pw, kept: keptRates },
    }
  } finally {
    await kept.close()
    await database.drop()
    await shop.close()
  }
}

/** The benchmark as bench/all.ts asks for it. Quick: 5 starts of 4 journeys. */
export async function bench(options: BenchOptions = {}): Promise<BenchReport> {
  const quick = options.quick === true
  const log = options.write === false ? (line: string) => console.error(line) : console.log
  const figures = await benchPlaywrightTest(
    { journeysPerStart: knob(options, 'PW_JOURNEYS', 10, 4, 1, 200), starts: knob(options, 'PW_INVOCATIONS', 5, 5, 1, 50) },
    log,
  )
  if (options.write !== false) {
    console.log()
    print('@playwright/test journeys/min', figures.playwrightTestJourneysPerMinute, '/min')
    print('Kept journeys/min', figures.keptJourneysPerMinute, '/min')
    print('ratio Kept / @playwright/test (goal ≥ 2.0)', figures.ratio, '', 2)
    await writeResult('playwright-test', { ...figures, target: { ratio: 2.0 } })
  }
  return {
    benchmark: 'playwright-test',
    quick,
    params: figures.params,
    figures: [figure('journeys/min, Kept ÷ playwright test --workers=2 by cron', figures.ratio, '×', { op: '≥', value: 2.0 })],
  }
}

if (isMain(import.meta)) await runCli(bench)
