import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { intFromEnv, type Summary } from './report.ts'

// What every benchmark exports and how `npm run bench` (bench/all.ts) asks
// for it. Each bench/<name>.ts exports
//   bench(options: { quick?: boolean }): Promise<BenchReport>
// and, run as a script, takes two flags:
//   node --import tsx bench/<name>.ts [--quick] [--json]
// --quick: the quick mode (fewer items and shorter loads, still ≥ 5
// repetitions where a figure is a median; a budget of about a minute, see
// bench/README.md); --json: the last line of stdout is the BenchReport as
// one line of JSON (progress may come before it, on stdout or stderr), and
// bench/results/<name>.json is not written. The exit code is 0 when the
// benchmark ran, whether or not its figures meet their goals.

export interface Figure {
  /** What is measured, in words: "GET /api/v1/promises p99, no gzip, ÷ bare node:http". */
  figure: string
  /** Today's value: the median over the repetitions. */
  value: number
  min: number
  max: number
  /** Repetitions behind the median. */
  n: number
  unit: string
  /** The goal in words ("≤ 1.2", "≥ 5,000/s"), when there is one. */
  goal?: string
  /** Whether the median meets the goal; absent when there is no goal. */
  pass?: boolean
}

export interface BenchReport {
  benchmark: string
  quick: boolean
  params: Record<string, unknown>
  figures: Figure[]
  /** Why it did not run here (a missing service), when it did not. */
  skipped?: string
}

export interface BenchOptions {
  quick?: boolean
  /** Write bench/results/<name>.json (the script does; `--json` and bench/all.ts do not). */
  write?: boolean
}

/** A figure from a summary; `goal` is a comparison of the median with a number. */
export function figure(name: string, s: Summary, unit: string, goal?: { op: '≤' | '≥' | '<' | '>'; value: number; text?: string }): Figure {
  const f: Figure = { figure: name, value: s.median, min: s.min, max: s.max, n: s.n, unit }
  if (goal) {
    f.goal = goal.text ?? `${goal.op} ${goal.value}`
    const v = s.median
    f.pass = goal.op === '≤' ? v <= goal.value : goal.op === '≥' ? v >= goal.value : goal.op === '<' ? v < goal.value : v > goal.value
  }
  return f
}

/** An integer knob: the environment's value, else the quick or the full default. */
export function knob(options: BenchOptions, name: string, full: number, quick: number, min = 1, max = 1_000_000_000): number {
  return intFromEnv(name, options.quick ? quick : full, min, max)
}

/** Whether the module of `meta` is the script node was started with. */
export function isMain(meta: ImportMeta): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(meta.url)
}

/** Run a benchmark as a script: `--quick`, `--json` as above. */
export async function runCli(bench: (options: BenchOptions) => Promise<BenchReport>): Promise<void> {
  const args = process.argv.slice(2)
  const unknown = args.filter((a) => a !== '--quick' && a !== '--json')
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]}: expected --quick and/or --json`)
  const json = args.includes('--json')
  const report = await bench({ quick: args.includes('--quick'), write: !json })
  if (json) process.stdout.write(`\n${JSON.stringify(report)}\n`)
  // A benchmark's servers may leave handles behind (the status page's
  // dashboard arm: renders still queued when its load stopped), and the
  // report is out: end here rather than wait for them (npm run bench
  // waits for the process).
  process.stdout.write('', () => process.exit(process.exitCode ?? 0))
}
