import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import os from 'node:os'
import { createApiApp } from '../src/api/app.ts'
import { createReadCache } from '../src/api/read-cache.ts'
import { createHttpApp, listen } from '../src/app/http.ts'
import { createApiToken } from '../src/auth/tokens.ts'
import { createLogger } from '../src/infra/logger.ts'
import { startBareHttp } from './lib/bare-http.ts'
import { benchApiApp } from './lib/kept-api.ts'
import { intFromEnv } from './lib/report.ts'
import { runLoad } from './lib/run-load.ts'
import { seedPromises } from './lib/seed.ts'
import { benchDatabase } from './lib/services.ts'

// Where the server's CPU goes on a cached GET /api/v1/promises (no gzip),
// 200 connections: a V8 CPU profile of the process holding the servers,
// taken first under load on bare node:http, then on Kept, written to
// PROFILE_DIR (/tmp) as bare.cpuprofile and kept.cpuprofile (open them in
// Chrome DevTools), and self time summed by what it belongs to:
// `node --import tsx bench/api-profile.ts`. PROFILE_SECONDS (8).

const SECONDS = intFromEnv('PROFILE_SECONDS', 8, 1, 120)
const DIR = process.env.PROFILE_DIR ?? os.tmpdir()

interface Node {
  id: number
  callFrame: { functionName: string; url: string }
  children?: number[]
}
interface Profile {
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
}

/** What a frame belongs to, by its script's path. */
function category(url: string, name: string): string {
  if (name === '(idle)') return 'idle'
  if (name === '(garbage collector)') return 'garbage collection'
  if (name === '(program)') return 'V8 and native (program)'
  if (url.includes('/pino') || url.includes('sonic-boom') || url.includes('fast-redact')) return 'pino (request log)'
  if (url.includes('@hono/node-server')) return '@hono/node-server'
  if (url.includes('@hono/zod-openapi') || url.includes('/zod/')) return 'zod (request validation)'
  if (url.includes('/hono/')) return 'Hono (routing, context, middleware)'
  if (url.includes('/src/auth/')) return 'Kept: authentication'
  if (url.includes('/src/')) return 'Kept: other (API, cache, headers)'
  if (url.includes('/bench/')) return 'bench harness'
  if (url.startsWith('node:_http') || url.startsWith('node:http') || url.includes('internal/http')) return 'node:http'
  if (url.startsWith('node:net') || url.includes('internal/stream_base') || url.includes('internal/streams') || url.startsWith('node:stream')) return 'node:net, streams (socket writes)'
  if (url.startsWith('node:') || url === '') return `node: other${name ? '' : ''}`
  return 'other packages'
}

function breakdown(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!
    const what = category(node.callFrame.url, node.callFrame.functionName)
    self.set(what, (self.get(what) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  return self
}

function print(label: string, profile: Profile, requests: number): void {
  const self = breakdown(profile)
  const busy = [...self].filter(([k]) => k !== 'idle').reduce((s, [, v]) => s + v, 0)
  console.log(`\n${label}: ${requests} requests, ${(busy / requests).toFixed(1)} µs busy a request (sampled)`)
  for (const [what, us] of [...self].filter(([k]) => k !== 'idle').sort((a, b) => b[1] - a[1])) {
    console.log(`  ${what.padEnd(40)} ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${(us / requests).toFixed(1).padStart(6)} µs`)
  }
}

const database = await benchDatabase('apiprof', { max: 10 })
try {
  const { db } = database
  await seedPromises(db, 10_000)
  const { token } = await createApiToken(db, { name: 'bench', role: 'viewer' })
  const app = benchApiApp({ createApiApp, createReadCache, createHttpApp, createLogger }, db)
  const server = await listen(app, { port: 0, host: '127.0.0.1' })
  const list = await fetch(`${server.url}/api/v1/promises`, { headers: { authorization: `Bearer ${token}` } })
  const bare = await startBareHttp(new Uint8Array(await list.arrayBuffer()))
  const options = { connections: 200, seconds: SECONDS, warmupSeconds: 2 }
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 100 })
  try {
    for (const [label, url] of [['bare node:http', bare.url], ['Kept', server.url]] as const) {
      await session.post('Profiler.start')
      const load = await runLoad(token, { url, paths: ['/api/v1/promises'], headers: {} }, options)
      const { profile } = await session.post('Profiler.stop')
      const file = `${DIR}/${label === 'Kept' ? 'kept' : 'bare'}.cpuprofile`
      await writeFile(file, JSON.stringify(profile))
      console.log(`${label}: ${load.requestsPerSecond.toFixed(0)} req/s, p99 ${load.latencyMs.p99} ms, server CPU ${load.serverCpuUs.toFixed(0)} µs a request; ${file}`)
      print(label, profile as unknown as Profile, load.requests)
    }
  } finally {
    session.disconnect()
    await bare.close()
    await server.close()
  }
} finally {
  await database.drop()
}
