import os from 'node:os'
import { Hono } from 'hono'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { createHttpApp, listen } from '../src/app/http.ts'
import { createApiToken } from '../src/auth/tokens.ts'
import { createLogger } from '../src/infra/logger.ts'
import { print, summarize, writeResult } from './lib/report.ts'
import { figure, isMain, knob, runCli, type BenchOptions, type BenchReport } from './lib/cli.ts'
import { seedPromises, seedRollups, seedRuns } from './lib/seed.ts'
import { benchPages } from './lib/kept-api.ts'
import { benchDatabase } from './lib/services.ts'

// Dashboard render time: GET / (the worst-first promise table with 30 days
// of history) with DASHBOARD_PROMISES promises (1,000), their runs and
// hourly rollups, one request at a time, through Kept's HTTP app.
// Quick (--quick): 10 requests a page a repetition, 5 repetitions.

export async function bench(options: BenchOptions = {}): Promise<BenchReport> {
  const quick = options.quick === true
  const PROMISES = knob(options, 'DASHBOARD_PROMISES', 1_000, 1_000, 1, 100_000)
  const REQUESTS = knob(options, 'DASHBOARD_REQUESTS', 30, 10, 1, 10_000)
  const REPS = knob(options, 'BENCH_REPS', 5, 5, 1, 20)

  const database = await benchDatabase('dashboard')
  try {
    const { db } = database
    await seedPromises(db, PROMISES)
    await seedRuns(db, PROMISES * 100)
    await seedRollups(db, 30)
    const { token } = await createApiToken(db, { name: 'bench', role: 'viewer' })
    const logger = createLogger({ LOG_LEVEL: 'info' }, undefined, pino.destination({ dest: os.devNull, sync: false }))
    const pages = benchPages(db)
    const app = createHttpApp({ logger, api: new Hono(), digests: new Hono(), pages, metrics: new Registry() })
    const server = await listen(app, { port: 0, host: '127.0.0.1' })
    try {
      const lastPage = Math.max(1, Math.ceil(PROMISES / 100))
      const pagesToLoad = { 'GET / (first page)': '/', [`GET /?page=${lastPage} (last page)`]: `/?page=${lastPage}` }
      const get = async (path: string) => {
        const started = performance.now()
        const cpu = process.cpuUsage()
        const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
        const html = await response.text()
        if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${html.slice(0, 300)}`)
        const used = process.cpuUsage(cpu)
        return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, bytes: html.length }
      }
      for (const path of Object.values(pagesToLoad)) await get(path) // warm-up
      console.log(`dashboard: ${PROMISES} promises, ${REQUESTS} requests a repetition, ${REPS} repetitions\n`)
      const medians: Record<string, number[]> = {}
      /** CPU time of this process (server and its fetch client) a request: the render's own cost, Postgres' not included. */
      const cpuMedians: Record<string, number[]> = {}
      const all: Record<string, number[]> = {}
      let bytes = 0
      for (let rep = 0; rep < REPS; rep++) {
        for (const [name, path] of Object.entries(pagesToLoad)) {
          const times: number[] = []
          const cpuTimes: number[] = []
          for (let i = 0; i < REQUESTS; i++) {
            const got = await get(path)
            times.push(got.ms)
            cpuTimes.push(got.cpuMs)
            bytes = Math.max(bytes, got.bytes)
          }
          ;(medians[name] ??= []).push(summarize(times).median)
          ;(cpuMedians[name] ??= []).push(summarize(cpuTimes).median)
          ;(all[name] ??= []).push(...times)
          console.log(`  rep ${rep + 1} ${name}: median ${summarize(times).median.toFixed(1)} ms, CPU ${summarize(cpuTimes).median.toFixed(1)} ms`)
        }
      }
      console.log()
      const summary: Record<string, unknown> = {}
      for (const [name, times] of Object.entries(all)) {
        print(name, summarize(times), 'ms', 1)
        summary[name] = { ms: summarize(times), medianPerRep: medians[name] }
      }
      const params = { promises: PROMISES, runs: PROMISES * 100, rollupDays: 30, requestsPerRep: REQUESTS, reps: REPS }
      if (options.write !== false) await writeResult('dashboard', { params, htmlBytes: bytes, pages: summary, cpuMsMedianPerRep: cpuMedians })
      const [first, last] = Object.keys(pagesToLoad)
      return {
        benchmark: 'dashboard',
        quick,
        params,
        figures: [
          // The median of each repetition's median, so min–max shows the spread between repetitions.
          figure(`dashboard server time, ${first}, ${PROMISES} promises`, summarize(medians[first!]!), 'ms', { op: '≤', value: 50 }),
          figure(`dashboard server time, ${last}`, summarize(medians[last!]!), 'ms', { op: '≤', value: 50 }),
          figure(`dashboard CPU a request (Kept's process, Postgres not counted), ${first}`, summarize(cpuMedians[first!]!), 'ms'),
        ],
      }
    } finally {
      await server.close()
    }
  } finally {
    await database.drop()
  }
}

if (isMain(import.meta)) await runCli(bench)
