import { spawn } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchReport, Figure } from './lib/cli.ts'
import { RESULTS_DIR, machine } from './lib/report.ts'

// `npm run bench`: every benchmark in its quick mode, one after the other,
// each in its own process through the contract of bench/lib/cli.ts
// (`node --import tsx bench/<name>.ts --quick --json`, the report as the
// last line of stdout), then one summary table (figure, today's value,
// goal, pass or fail, min–max) and bench/results/<date>-<host>.json with
// every figure and the machine. Budget: under 10 minutes on 2 cores; a
// benchmark over its own limit is stopped and said so.
//   npm run bench [-- --only api,dashboard]   (a partial run writes <date>-<host>-only-<names>.json)

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))

/** In the order they run; `limit` stops one that hangs (seconds). */
const BENCHMARKS: { name: string; limit: number }[] = [
  { name: 'claims', limit: 60 },
  { name: 'schedule', limit: 90 },
  { name: 'record', limit: 120 },
  { name: 'api', limit: 300 },
  { name: 'dashboard', limit: 120 },
  { name: 'status', limit: 240 },
  { name: 'journeys', limit: 300 },
  { name: 'playwright-test', limit: 150 },
  { name: 'memory', limit: 150 },
  { name: 'detection', limit: 240 },
]

interface Ran {
  benchmark: string
  seconds: number
  loadAverageAtStart: number[]
  report?: BenchReport
  error?: string
}

async function runOne(name: string, limitSeconds: number): Promise<{ report?: BenchReport; error?: string }> {
  const source = await readFile(path.join(BENCH_DIR, `${name}.ts`), 'utf8')
  // A benchmark that does not take the flags yet would run its full length and be stopped: said at once instead.
  if (!source.includes('--json') && !source.includes('runCli')) return { error: 'does not take --quick --json yet (bench/lib/cli.ts)' }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, `${name}.ts`), '--quick', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: a timeout stops its browsers and load generators too
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk
      process.stderr.write(chunk.toString().replace(/^\{"benchmark".*$/gm, '').replace(/^(?=.)/gm, `  [${name}] `))
    })
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk
      process.stderr.write(chunk.toString().replace(/^(?=.)/gm, `  [${name}] `))
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid!, 'SIGTERM')
      } catch {
        // already gone
      }
    }, limitSeconds * 1000)
    child.once('error', (error) => {
      clearTimeout(timer)
      resolve({ error: error.message })
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (timedOut) return resolve({ error: `stopped after its limit of ${limitSeconds} s` })
      const last = out.trim().split('\n').at(-1) ?? ''
      try {
        const report = JSON.parse(last) as BenchReport
        if (!Array.isArray(report.figures)) throw new Error('no figures')
        return resolve({ report })
      } catch {
        const why = code === 0 ? 'no --json report on the last line of its output' : `exited with ${code ?? signal}`
        resolve({ error: `${why}${err.trim() ? `: ${err.trim().split('\n').at(-1)}` : ''}` })
      }
    })
  })
}

const fmt = (n: number) => {
  if (!Number.isFinite(n)) return String(n)
  const abs = Math.abs(n)
  return abs >= 1000 ? n.toFixed(0) : abs >= 100 ? n.toFixed(0) : abs >= 10 ? n.toFixed(1) : n.toFixed(2)
}

const args = process.argv.slice(2)
const onlyAt = args.indexOf('--only')
const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? '').split(',').filter(Boolean)) : null
if (only) for (const name of only) if (!BENCHMARKS.some((b) => b.name === name)) throw new Error(`--only: no benchmark "${name}"; expected some of ${BENCHMARKS.map((b) => b.name).join(', ')}`)

const startedAt = new Date()
const machineAtStart = machine()
const began = performance.now()
const ran: Ran[] = []
for (const { name, limit } of BENCHMARKS.filter((b) => !only || only.has(b.name))) {
  console.error(`\n${name} (quick) …`)
  const loadAverageAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100)
  const t = performance.now()
  const got = await runOne(name, limit)
  ran.push({ benchmark: name, seconds: Math.round((performance.now() - t) / 100) / 10, loadAverageAtStart, ...got })
  console.error(`${name}: ${got.error ? `not measured: ${got.error}` : 'done'} in ${ran.at(-1)!.seconds} s`)
}
const totalSeconds = Math.round((performance.now() - began) / 1000)
const machineAtEnd = machine()

const rows: string[][] = []
for (const r of ran) {
  if (r.error) rows.push([r.benchmark, 'not measured', '', '', r.error])
  else if (r.report?.skipped) rows.push([r.benchmark, 'skipped', '', '', r.report.skipped])
  for (const f of r.report?.figures ?? []) {
    const unit = f.unit === '×' ? '×' : ` ${f.unit}`
    rows.push([
      f.figure,
      `${fmt(f.value)}${unit}`,
      f.goal ?? '',
      f.pass === undefined ? '' : f.pass ? 'pass' : 'FAIL',
      `${fmt(f.min)}–${fmt(f.max)} (n=${f.n})`,
    ])
  }
}
const header = ['figure', 'today', 'goal', 'pass/fail', 'min–max']
console.log(`\n| ${header.join(' | ')} |`)
console.log(`|${header.map(() => '---').join('|')}|`)
for (const row of rows) console.log(`| ${row.join(' | ')} |`)
const m = machineAtEnd
console.log(
  `\n${ran.length} benchmarks, quick, in ${Math.floor(totalSeconds / 60)} min ${totalSeconds % 60} s on ${m.cores} cores (${m.cpu}), ${m.memoryMb} MB, Node ${m.node}, ${m.chromium ?? 'no Chromium'}; load average ${machineAtStart.loadAverage.join(' ')} at the start, ${m.loadAverage.join(' ')} at the end.`,
)

const host = os.hostname().replace(/[^\w.-]/g, '_')
// A partial run (--only) never replaces the day's whole run.
const file = path.join(RESULTS_DIR, `${startedAt.toISOString().slice(0, 10)}-${host}${only ? `-only-${[...only].join('-')}` : ''}.json`)
await mkdir(RESULTS_DIR, { recursive: true })
await writeFile(
  file,
  `${JSON.stringify(
    {
      startedAt: startedAt.toISOString(),
      quick: true,
      totalSeconds,
      machine: { ...machineAtEnd, loadAverageAtStart: machineAtStart.loadAverage },
      benchmarks: ran,
      figures: ran.flatMap((r) => (r.report?.figures ?? []).map((f: Figure) => ({ benchmark: r.benchmark, ...f }))),
    },
    null,
    2,
  )}\n`,
)
console.log(`written ${path.relative(process.cwd(), file)}`)
