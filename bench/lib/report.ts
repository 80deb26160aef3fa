import { execFileSync } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveChromium } from '../../src/runner/browser-path.ts'

// What every benchmark prints and records: median with min and max over
// several repetitions, and the machine it ran on.

export const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../results')

export interface Summary {
  median: number
  min: number
  max: number
  n: number
}

export function summarize(values: number[]): Summary {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 }
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return { median, min: sorted[0]!, max: sorted.at(-1)!, n: sorted.length }
}

/** The p-th percentile (0..100) of values, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

export interface Machine {
  cores: number
  cpu: string
  memoryMb: number
  loadAverage: number[]
  node: string
  chromium: string | null
  os: string
  date: string
}

export function machine(): Machine {
  const chromium = resolveChromium(process.env)
  let version: string | null = null
  if (chromium) {
    try {
      version = execFileSync(chromium.path, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    } catch {
      version = chromium.path
    }
  }
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryMb: Math.round(os.totalmem() / 1024 / 1024),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    chromium: version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString(),
  }
}

const round = (n: number, digits: number) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : n)

/** "12.3 (min 11.9, max 13.0) runs/s" */
export function format(summary: Summary, unit: string, digits = 1): string {
  return `${round(summary.median, digits)} (min ${round(summary.min, digits)}, max ${round(summary.max, digits)}) ${unit}`
}

export function print(label: string, summary: Summary, unit: string, digits = 1): void {
  console.log(`${label.padEnd(40)} ${format(summary, unit, digits)}`)
}

/** Write bench/results/<name>.json with the machine; returns its path. */
export async function writeResult(name: string, data: Record<string, unknown>): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true })
  const file = path.join(RESULTS_DIR, `${name}.json`)
  await writeFile(file, `${JSON.stringify({ benchmark: name, machine: machine(), ...data }, null, 2)}\n`)
  console.log(`\nwritten ${path.relative(process.cwd(), file)}`)
  return file
}

/** An integer from the environment, with a default and bounds (benchmarks stay bounded). */
export function intFromEnv(name: string, fallback: number, min = 1, max = 1_000_000_000): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name}: expected an integer from ${min} to ${max}, got "${raw}"`)
  }
  return value
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Poll until check() returns something truthy, or fail after timeoutMs. */
export async function until<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(everyMs)
  }
}
