import { sql } from 'drizzle-orm'
import { createApiApp } from '../src/api/app.ts'
import { createReadCache } from '../src/api/read-cache.ts'
import { createLogger } from '../src/infra/logger.ts'
import { createHttpApp, listen } from '../src/app/http.ts'
import { createApiToken } from '../src/auth/tokens.ts'
import { print, summarize, writeResult } from './lib/report.ts'
import { figure, isMain, knob, runCli, type BenchOptions, type BenchReport, type Figure } from './lib/cli.ts'
import { startBareHttp } from './lib/bare-http.ts'
import { benchApiApp } from './lib/kept-api.ts'
import { CLIENT_ENCODINGS, runLoad, type Endpoint, type Load } from './lib/run-load.ts'
import { seedPromises, seedRuns } from './lib/seed.ts'
import { benchDatabase } from './lib/services.ts'

// API load: GET /api/v1/promises and GET /api/v1/promises/:id with
// API_PROMISES promises and API_RUNS runs (default 1,000,000; set
// API_RUNS=10000000 for the full figure), API_CONNECTIONS (200) connections
// for API_SECONDS (20 s) each, from autocannon in its own process. The
// server is Kept's HTTP app as composed in production (the production
// logger, its redaction on, with the request log written to /dev/null),
// with a 10-connection Postgres pool. Requests say
// Accept-Encoding as browsers and fetch do; the list is measured once more
// without it (a client that takes no gzip). The baseline, in each
// repetition next to Kept: bare node:http answering the same list page
// from memory (bench/lib/bare-http.ts), with and without gzip. The arms
// take turns, their order turned every repetition.
// Quick (--quick): 200,000 runs, the list without gzip and its bare
// baseline and the status only, 1 + 3 s each, 5 repetitions.

export async function bench(options: BenchOptions = {}): Promise<BenchReport> {
  const quick = options.quick === true
  const PROMISES = knob(options, 'API_PROMISES', 10_000, 10_000, 1, 1_000_000)
  const RUNS = knob(options, 'API_RUNS', 1_000_000, 200_000, 0, 100_000_000)
  const CONNECTIONS = knob(options, 'API_CONNECTIONS', 200, 200, 1, 10_000)
  const SECONDS = knob(options, 'API_SECONDS', 20, 3, 1, 600)
  const WARMUP = knob(options, 'API_WARMUP_SECONDS', 3, 1, 0, 60)
  const REPS = knob(options, 'BENCH_REPS', 5, 5, 1, 20)
  /** KEPT_API_CACHE_MS as in production (default 1000; 0 measures every read against Postgres). */
  const CACHE_MS = knob(options, 'KEPT_API_CACHE_MS', 1000, 1000, 0, 60_000)

  const database = await benchDatabase('api', { max: 10 })
  try {
    const { db } = database
    let started = performance.now()
    await seedPromises(db, PROMISES)
    await seedRuns(db, RUNS, (done) => console.log(`  seeded ${done} runs`))
    console.log(`seeded ${PROMISES} promises and ${RUNS} runs in ${((performance.now() - started) / 1000).toFixed(0)} s`)
    const { token } = await createApiToken(db, { name: 'bench', role: 'viewer' })
    const ids = ((await db.execute(sql`select id from promises order by random() limit 1000`)) as unknown as { id: string }[]).map((r) => r.id)

    const app = benchApiApp({ createApiApp, createReadCache, createHttpApp, createLogger }, db, CACHE_MS)
    const server = await listen(app, { port: 0, host: '127.0.0.1' })
    let bare: Awaited<ReturnType<typeof startBareHttp>> | undefined
    try {
      const list = await fetch(`${server.url}/api/v1/promises`, { headers: { authorization: `Bearer ${token}` } })
      if (list.status !== 200) throw new Error(`/api/v1/promises answered ${list.status}: ${await list.text()}`)
      bare = await startBareHttp(new Uint8Array(await list.arrayBuffer()))
      const kept = server.url
      const endpoints: Record<string, Endpoint> = {
        ...(quick ? {} : { 'GET /api/v1/promises': { url: kept, paths: ['/api/v1/promises'], headers: CLIENT_ENCODINGS } }),
        ...(quick ? {} : { 'bare node:http, the same page': { url: bare.url, paths: ['/api/v1/promises'], headers: CLIENT_ENCODINGS } }),
        'GET /api/v1/promises, no gzip': { url: kept, paths: ['/api/v1/promises'], headers: {} },
        'bare node:http, the same page, no gzip': { url: bare.url, paths: ['/api/v1/promises'], headers: {} },
        'GET /api/v1/promises/:id': { url: kept, paths: ids.map((id) => `/api/v1/promises/${id}`), headers: CLIENT_ENCODINGS },
      }
      for (const { url, paths, headers } of Object.values(endpoints)) {
        const check = await fetch(`${url}${paths[0]}`, { headers: { ...headers, authorization: `Bearer ${token}` } })
        if (check.status !== 200) throw new Error(`${paths[0]} answered ${check.status}: ${await check.text()}`)
      }
      console.log(`\napi: ${CONNECTIONS} connections, ${SECONDS} s each, ${REPS} repetitions\n`)
      const results: Record<string, Load[]> = {}
      const names = Object.keys(endpoints)
      for (let rep = 0; rep < REPS; rep++) {
        for (const name of names.map((_, i) => names[(i + rep) % names.length]!)) {
          const endpoint = endpoints[name]!
          let figures = await runLoad(token, endpoint, { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP })
          // On a starved machine a short load can end with no request answered: once more, longer.
          if (figures.requests === 0) figures = await runLoad(token, endpoint, { connections: CONNECTIONS, seconds: SECONDS * 2, warmupSeconds: WARMUP })
          if (figures.requests === 0) throw new Error(`${name}: no request answered in ${SECONDS * 2} s`)
          ;(results[name] ??= []).push(figures)
          console.log(
            `  rep ${rep + 1} ${name}: ${figures.requestsPerSecond.toFixed(0)} req/s, p99 ${figures.latencyMs.p99} ms, server CPU ${figures.serverCpuUs.toFixed(0)} µs a request, non-2xx ${figures.non2xx}, errors ${figures.errors}`,
          )
        }
      }
      console.log()
      const summary: Record<string, unknown> = {}
      for (const [name, figures] of Object.entries(results)) {
        const rps = summarize(figures.map((f) => f.requestsPerSecond))
        const p99 = summarize(figures.map((f) => f.latencyMs.p99))
        const p50 = summarize(figures.map((f) => f.latencyMs.p50))
        const cpu = summarize(figures.map((f) => f.serverCpuUs))
        print(`${name} req/s`, rps, 'req/s', 0)
        print(`${name} p99`, p99, 'ms', 0)
        print(`${name} server CPU`, cpu, 'µs a request', 0)
        summary[name] = { requestsPerSecond: rps, p50Ms: p50, p99Ms: p99, serverCpuUsPerRequest: cpu, raw: figures }
      }
      // Kept against the bare server, repetition by repetition: throughput as
      // a share of bare's, and server CPU a request as a multiple of bare's.
      const versus = (keptName: string, bareName: string) => {
        const [kept, bare] = [results[keptName]!, results[bareName]!]
        return {
          p99: summarize(kept.map((f, rep) => f.latencyMs.p99 / bare[rep]!.latencyMs.p99)),
          throughput: summarize(kept.map((f, rep) => f.requestsPerSecond / bare[rep]!.requestsPerSecond)),
          cpuPerRequest: summarize(kept.map((f, rep) => f.serverCpuUs / bare[rep]!.serverCpuUs)),
        }
      }
      const ratios = {
        ...(quick ? {} : { 'GET /api/v1/promises': versus('GET /api/v1/promises', 'bare node:http, the same page') }),
        'GET /api/v1/promises, no gzip': versus('GET /api/v1/promises, no gzip', 'bare node:http, the same page, no gzip'),
      }
      for (const [name, value] of Object.entries(ratios)) {
        print(`${name}: p99 / bare`, value.p99, '×', 2)
        print(`${name}: throughput / bare`, value.throughput, '', 2)
        print(`${name}: CPU a request / bare`, value.cpuPerRequest, '×', 2)
      }
      const params = { promises: PROMISES, runs: RUNS, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP, reps: REPS, postgresPool: 10, cacheMs: CACHE_MS }
      const noGzip = ratios['GET /api/v1/promises, no gzip']
      const figures: Figure[] = [
        figure(`API list p99, no gzip, ${CONNECTIONS} conns, ÷ bare node:http's`, noGzip.p99, '×', { op: '≤', value: 1.2 }),
        figure('API list p99, no gzip', summarize(results['GET /api/v1/promises, no gzip']!.map((f) => f.latencyMs.p99)), 'ms', { op: '<', value: 50 }),
        figure('bare node:http p99, the same page, no gzip', summarize(results['bare node:http, the same page, no gzip']!.map((f) => f.latencyMs.p99)), 'ms'),
        figure('API list server CPU a request, no gzip, ÷ bare', noGzip.cpuPerRequest, '×'),
        figure('API status p99 (GET /api/v1/promises/:id)', summarize(results['GET /api/v1/promises/:id']!.map((f) => f.latencyMs.p99)), 'ms', { op: '<', value: 50 }),
      ]
      if (!quick) figures.push(figure('API list p99, gzip, ÷ bare node:http\'s', ratios['GET /api/v1/promises']!.p99, '×'))
      if (options.write !== false) {
        await writeResult('api', { params, target: { p99Ms: 50, p99ToBareNoGzip: 1.2 }, endpoints: summary, ratiosToBare: ratios })
      }
      return { benchmark: 'api', quick, params, figures }
    } finally {
      await bare?.close()
      await server.close()
      await new Promise((resolve) => setTimeout(resolve, 1000)) // requests cut off by the close finish their queries
    }
  } finally {
    await database.drop()
  }
}

if (isMain(import.meta)) await runCli(bench)
