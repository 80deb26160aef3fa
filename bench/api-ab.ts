import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Hono } from 'hono'
import { listen } from '../src/app/http.ts'
import { createApiToken } from '../src/auth/tokens.ts'
import type { Db } from '../src/db/client.ts'
import { startBareHttp } from './lib/bare-http.ts'
import { benchApiApp } from './lib/kept-api.ts'
import { intFromEnv, summarize } from './lib/report.ts'
import { runLoad, type Load } from './lib/run-load.ts'
import { seedPromises, seedRuns } from './lib/seed.ts'
import { benchDatabase } from './lib/services.ts'

// A/B of the API's cached list, no gzip, in one process and one run:
// bare node:http, Kept as it was (the src/ of API_AB_BASE, e.g. a
// `git archive <commit> src | tar -x -C dir` with node_modules linked in)
// and Kept as it is, each in turn, the order turned every repetition, on
// one database. Prints per arm the medians (min–max) of p99, requests per
// second and server CPU a request, and each Kept's ratios to bare in the
// same repetition. "bare Hono" is the framework's floor: Hono answering the
// same bytes and headers from memory with nothing else on the way.
//   API_AB_BASE=/tmp/base node --import tsx bench/api-ab.ts
// BENCH_REPS (5), API_SECONDS (8), API_WARMUP_SECONDS (2), API_CONNECTIONS
// (200), API_PROMISES (10000), API_RUNS (0: a cached read does not read runs).
// It first times each app's pipeline in process (pipelineUs);
// API_AB_PIPELINE_ONLY=1 stops there.

const REPS = intFromEnv('BENCH_REPS', 5, 1, 50)
const SECONDS = intFromEnv('API_SECONDS', 8, 1, 600)
const WARMUP = intFromEnv('API_WARMUP_SECONDS', 2, 0, 60)
const CONNECTIONS = intFromEnv('API_CONNECTIONS', 200, 1, 10_000)
const PROMISES = intFromEnv('API_PROMISES', 10_000, 1, 1_000_000)
const RUNS = intFromEnv('API_RUNS', 0, 0, 100_000_000)
const BASE = process.env.API_AB_BASE

async function keptServer(root: string, db: unknown) {
  const load = (file: string) => import(pathToFileURL(path.join(root, 'src', file)).href)
  const [{ createApiApp }, { createReadCache }, { createHttpApp, listen }, { createLogger }] = await Promise.all([
    load('api/app.ts'),
    load('api/read-cache.ts'),
    load('app/http.ts'),
    load('infra/logger.ts'),
  ])
  const app = benchApiApp({ createApiApp, createReadCache, createHttpApp, createLogger }, db as Db)
  apps.set(root, app)
  return (await listen(app, { port: 0, host: '127.0.0.1' })) as { url: string; close(): Promise<void> }
}

const apps = new Map<string, Hono>()

/**
 * CPU µs a request through an app's own pipeline, in this process, one
 * request at a time (no sockets, no load generator): the part of a
 * request's cost that is Kept's code and its framework, steadier on a
 * busy machine than anything timed over sockets.
 */
async function pipelineUs(app: Hono, token: string, count: number): Promise<number> {
  const request = () => new Request('http://127.0.0.1/api/v1/promises', { headers: { authorization: `Bearer ${token}` } })
  const started = process.cpuUsage()
  for (let i = 0; i < count; i++) {
    const response = await app.fetch(request())
    if (response.status !== 200) throw new Error(`pipeline: ${response.status}`)
    await response.arrayBuffer()
  }
  const used = process.cpuUsage(started)
  return (used.user + used.system) / count
}

const database = await benchDatabase('api_ab', { max: 10 })
try {
  const { db } = database
  await seedPromises(db, PROMISES)
  if (RUNS > 0) await seedRuns(db, RUNS)
  const { token } = await createApiToken(db, { name: 'bench', role: 'viewer' })
  const servers: Record<string, { url: string; close(): Promise<void> }> = {}
  servers['Kept'] = await keptServer(path.resolve(import.meta.dirname, '..'), db)
  if (BASE) servers['Kept before'] = await keptServer(path.resolve(BASE), db)
  const list = await fetch(`${servers['Kept']!.url}/api/v1/promises`, { headers: { authorization: `Bearer ${token}` } })
  const body = new Uint8Array(await list.arrayBuffer())
  for (const [name, server] of Object.entries(servers)) {
    const check = await fetch(`${server.url}/api/v1/promises`, { headers: { authorization: `Bearer ${token}` } })
    const same = Buffer.compare(Buffer.from(await check.arrayBuffer()), Buffer.from(body)) === 0
    console.log(`${name}: ${check.status}, ${[...check.headers.keys()].sort().join(' ')}${same ? '' : ' (body differs)'}`)
  }
  servers['bare node:http'] = await startBareHttp(body)
  // The framework's floor: Hono on @hono/node-server answering the same
  // bytes with the same headers, one pass-through middleware, nothing else.
  const headers = Object.fromEntries([...list.headers].filter(([name]) => !['content-length', 'content-encoding', 'date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name)))
  const floor = new Hono()
  floor.use(async (_c, next) => next())
  floor.get('/api/v1/promises', () => new Response(body, { status: 200, headers }))
  servers['bare Hono'] = await listen(floor, { port: 0, host: '127.0.0.1' })
  // The pipeline alone, each app in turn, the order turned every repetition.
  const pipelineArms: Record<string, Hono> = { Kept: apps.get(path.resolve(import.meta.dirname, '..'))!, 'bare Hono': floor }
  if (BASE) pipelineArms['Kept before'] = apps.get(path.resolve(BASE))!
  const pipeline: Record<string, number[]> = {}
  const names = Object.keys(pipelineArms)
  for (const name of names) await pipelineUs(pipelineArms[name]!, token, 2000) // warm-up
  for (let rep = 0; rep < REPS; rep++) {
    for (const name of names.map((_, i) => names[(i + rep) % names.length]!)) (pipeline[name] ??= []).push(await pipelineUs(pipelineArms[name]!, token, 5000))
  }
  for (const name of names) {
    const s = summarize(pipeline[name]!)
    console.log(`pipeline, in process: ${name.padEnd(12)} ${s.median.toFixed(1)} µs CPU a request (${s.min.toFixed(1)}–${s.max.toFixed(1)})`)
  }
  if (process.env.API_AB_PIPELINE_ONLY === '1') {
    for (const server of Object.values(servers)) await server.close()
    await database.drop()
    process.exit(0)
  }

  const arms = Object.keys(servers)
  const results: Record<string, Load[]> = {}
  try {
    for (let rep = 0; rep < REPS; rep++) {
      const order = arms.map((_, i) => arms[(i + rep) % arms.length]!)
      const line: string[] = []
      for (const arm of order) {
        const load = await runLoad(token, { url: servers[arm]!.url, paths: ['/api/v1/promises'], headers: {} }, { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP })
        ;(results[arm] ??= []).push(load)
        line.push(`${arm} p99 ${load.latencyMs.p99} ms ${load.requestsPerSecond.toFixed(0)} req/s ${load.serverCpuUs.toFixed(0)} µs`)
      }
      console.log(`rep ${rep + 1} (load ${os.loadavg()[0]!.toFixed(1)}): ${line.join('; ')}`)
    }
  } finally {
    for (const server of Object.values(servers)) await server.close()
  }
  const f = (values: number[], digits = 0) => {
    const s = summarize(values)
    return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
  }
  const bare = results['bare node:http']!
  console.log()
  for (const arm of arms) {
    const r = results[arm]!
    const ratios = arm === "bare node:http"
      ? ''
      : `; p99 ${f(r.map((l, i) => l.latencyMs.p99 / bare[i]!.latencyMs.p99), 2)}× bare, CPU ${f(r.map((l, i) => l.serverCpuUs / bare[i]!.serverCpuUs), 2)}× bare`
    console.log(`${arm.padEnd(16)} p99 ${f(r.map((l) => l.latencyMs.p99))} ms, ${f(r.map((l) => l.requestsPerSecond))} req/s, CPU ${f(r.map((l) => l.serverCpuUs))} µs a request${ratios}`)
  }
} finally {
  await database.drop()
}
