import os from 'node:os'
import { sql } from 'drizzle-orm'
import { Hono } from 'hono'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { createReadCache } from '../src/api/read-cache.ts'
import { createHttpApp, listen } from '../src/app/http.ts'
import { createApiToken } from '../src/auth/tokens.ts'
import { statusRoutes } from '../src/status/routes.ts'
import { print, summarize, writeResult } from './lib/report.ts'
import { figure, isMain, knob, runCli, type BenchOptions, type BenchReport } from './lib/cli.ts'
import { CLIENT_ENCODINGS, runLoad, type Load } from './lib/run-load.ts'
import { seedPromises, seedRollups } from './lib/seed.ts'
import { benchPages } from './lib/kept-api.ts'
import { benchDatabase } from './lib/services.ts'

// The public status page under load: GET /status and /status.json with
// STATUS_PROMISES (1,000) public promises, 90 days of hourly rollups and a
// break a promise, STATUS_CONNECTIONS (200) connections for STATUS_SECONDS
// (10 s) each, from autocannon in its own process; side by side in each
// repetition with the signed-in dashboard (GET /, the first 100 promises),
// the page the owners load, through the same HTTP app, at the connections
// a handful of owners make (STATUS_DASHBOARD_CONNECTIONS, 10): at 200 it
// answers nothing within autocannon's timeout once a render takes over
// ~40 ms (200 waiting renders), and its p99 was the timeout, not the page.
// The status page is served from its snapshot (KEPT_STATUS_CACHE_SECONDS, 10 s).
// Quick (--quick): 2 + 3 s each, 3 repetitions (not a goal of issue 21's, which asks for 5).
const DASHBOARD = 'GET / (dashboard, signed in)'

export async function bench(options: BenchOptions = {}): Promise<BenchReport> {
  const quick = options.quick === true
  const PROMISES = knob(options, 'STATUS_PROMISES', 1_000, 1_000, 1, 100_000)
  const CONNECTIONS = knob(options, 'STATUS_CONNECTIONS', 200, 200, 1, 10_000)
  const SECONDS = knob(options, 'STATUS_SECONDS', 10, 3, 1, 600)
  const WARMUP = knob(options, 'STATUS_WARMUP_SECONDS', 2, 2, 0, 60)
  const REPS = knob(options, 'BENCH_REPS', 5, 3, 1, 20)
  const CACHE_SECONDS = knob(options, 'KEPT_STATUS_CACHE_SECONDS', 10, 10, 0, 300)
  const DASHBOARD_CONNECTIONS = knob(options, 'STATUS_DASHBOARD_CONNECTIONS', 10, 10, 1, 10_000)

  const database = await benchDatabase('status', { max: 10 })
  try {
    const { db } = database
    await seedPromises(db, PROMISES)
    await db.execute(sql`update promises set public = true, state = case when random() < 0.02 then 'broken' else 'kept' end`)
    await seedRollups(db, 90)
    await db.execute(sql`insert into breaks (promise_id, opened_at, resolved_at, opened_by_run_id)
      select id, now() - (1 + random() * 80) * interval '1 day', null, gen_random_uuid() from promises`)
    await db.execute(sql`update breaks set resolved_at = opened_at + (5 + random() * 300) * interval '1 minute'`)
    const { token } = await createApiToken(db, { name: 'bench', role: 'viewer' })
    const logger = pino({ level: 'info' }, pino.destination({ dest: os.devNull, sync: false }))
    const statusCache = createReadCache({ ttlMs: CACHE_SECONDS * 1000 })
    const status = statusRoutes({ db, name: 'Bench shop', cache: statusCache, cacheSeconds: CACHE_SECONDS })
    const pages = benchPages(db)
    const app = createHttpApp({ logger, api: new Hono(), digests: new Hono(), pages, status, metrics: new Registry(), readCaches: [statusCache] })
    const server = await listen(app, { port: 0, host: '127.0.0.1' })
    try {
      const endpoints = {
        'GET /status': { url: server.url, paths: ['/status'], headers: CLIENT_ENCODINGS, connections: CONNECTIONS },
        'GET /status.json': { url: server.url, paths: ['/status.json'], headers: CLIENT_ENCODINGS, connections: CONNECTIONS },
        [DASHBOARD]: { url: server.url, paths: ['/'], headers: CLIENT_ENCODINGS, connections: DASHBOARD_CONNECTIONS },
      }
      let bytes = 0
      for (const { paths } of Object.values(endpoints)) {
        const started = performance.now()
        const check = await fetch(`${server.url}${paths[0]}`, { headers: { authorization: `Bearer ${token}` } })
        const text = await check.text()
        if (check.status !== 200) throw new Error(`${paths[0]} answered ${check.status}: ${text.slice(0, 300)}`)
        console.log(`  ${paths[0]}: ${(text.length / 1024).toFixed(0)} KB, first answer in ${(performance.now() - started).toFixed(0)} ms`)
        if (paths[0] === '/status') bytes = text.length
      }
      console.log(`\nstatus: ${PROMISES} public promises, ${CONNECTIONS} connections (the dashboard ${DASHBOARD_CONNECTIONS}), ${SECONDS} s each, ${REPS} repetitions\n`)
      const results: Record<string, Load[]> = {}
      for (let rep = 0; rep < REPS; rep++) {
        for (const [name, { connections, ...endpoint }] of Object.entries(endpoints)) {
          let figures = await runLoad(token, endpoint, { connections, seconds: SECONDS, warmupSeconds: WARMUP })
          // On a starved machine a short load can end with no request answered: once more, longer.
          if (figures.requests === 0) figures = await runLoad(token, endpoint, { connections, seconds: SECONDS * 2, warmupSeconds: WARMUP })
          if (figures.requests === 0) throw new Error(`${name}: no request answered in ${SECONDS * 2} s`)
          ;(results[name] ??= []).push(figures)
          console.log(`  rep ${rep + 1} ${name}: ${figures.requestsPerSecond.toFixed(0)} req/s, p99 ${figures.latencyMs.p99} ms, non-2xx ${figures.non2xx}, errors ${figures.errors}`)
        }
      }
      console.log()
      const summary: Record<string, unknown> = {}
      for (const [name, figures] of Object.entries(results)) {
        const rps = summarize(figures.map((f) => f.requestsPerSecond))
        const p99 = summarize(figures.map((f) => f.latencyMs.p99))
        print(`${name} req/s`, rps, 'req/s', 0)
        print(`${name} p99`, p99, 'ms', 0)
        summary[name] = { requestsPerSecond: rps, p50Ms: summarize(figures.map((f) => f.latencyMs.p50)), p99Ms: p99, serverCpuUsPerRequest: summarize(figures.map((f) => f.serverCpuUs)), raw: figures }
      }
      const dashboard = results[DASHBOARD]!
      const ratio = (name: string) => summarize(results[name]!.map((f, rep) => f.latencyMs.p99 / dashboard[rep]!.latencyMs.p99))
      const ratios = { 'GET /status p99 / dashboard p99': ratio('GET /status'), 'GET /status.json p99 / dashboard p99': ratio('GET /status.json') }
      for (const [name, value] of Object.entries(ratios)) print(name, value, '×', 2)
      const params = { promises: PROMISES, rollupDays: 90, connections: CONNECTIONS, dashboardConnections: DASHBOARD_CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP, reps: REPS, cacheSeconds: CACHE_SECONDS }
      if (options.write !== false) await writeResult('status', { params, statusHtmlBytes: bytes, endpoints: summary, ratios })
      return {
        benchmark: 'status',
        quick,
        params,
        figures: [
          figure(`status page GET /status p99, ${CONNECTIONS} conns, ${PROMISES} public promises`, summarize(results['GET /status']!.map((f) => f.latencyMs.p99)), 'ms'),
          figure(`status page GET /status p99 (${CONNECTIONS} conns) ÷ signed-in dashboard p99 (${DASHBOARD_CONNECTIONS} conns)`, ratios['GET /status p99 / dashboard p99'], '×'),
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
