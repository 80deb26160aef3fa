// Temporary: profile the API list path under load (not committed).
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import { Hono } from 'hono'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { createApiApp } from '../../src/api/app.ts'
import { createReadCache } from '../../src/api/read-cache.ts'
import { createHttpApp, listen } from '../../src/app/http.ts'
import { createApiToken } from '../../src/auth/tokens.ts'
import { runLoad } from '../lib/run-load.ts'
import { seedPromises } from '../lib/seed.ts'
import { benchDatabase } from '../lib/services.ts'
import { startBareHttp } from '../lib/bare-http.ts'
import { Session } from 'node:inspector/promises'
import { writeFile } from 'node:fs/promises'

const database = await benchDatabase('apiprof', { max: 10 })
try {
  const { db } = database
  await seedPromises(db, 10000)
  const { token } = await createApiToken(db, { name: 'bench', role: 'viewer' })
  const logger = pino({ level: 'info' }, pino.destination({ dest: os.devNull, sync: false }))
  const readCache = createReadCache({ ttlMs: 1000 })
  const api = createApiApp({ db, scheduler: {} as never, secretKey: randomBytes(32), dataDir: os.tmpdir(), health: async () => ({ ok: true }), testChannel: async () => {}, previewDigest: async () => ({}), readCache, logger } as never)
  const app = createHttpApp({ logger, api, digests: new Hono(), pages: new Hono(), metrics: new Registry(), readCaches: [readCache] })
  const server = await listen(app, { port: 0, host: '127.0.0.1' })
  const list = await fetch(`${server.url}/api/v1/promises`, { headers: { authorization: `Bearer ${token}` } })
  const bare = await startBareHttp(new Uint8Array(await list.arrayBuffer()))
  const opts = { connections: 200, seconds: Number(process.env.SECONDS ?? 8), warmupSeconds: 2 }
  const b = await runLoad(token, { url: bare.url, paths: ['/api/v1/promises'], headers: {} }, opts)
  console.log('bare', b.requestsPerSecond.toFixed(0), 'req/s p99', b.latencyMs.p99, 'cpu µs', b.serverCpuUs.toFixed(0))
  const session = new Session(); session.connect()
  await session.post('Profiler.enable'); await session.post('Profiler.start')
  const k = await runLoad(token, { url: server.url, paths: ['/api/v1/promises'], headers: {} }, opts)
  const { profile } = await session.post('Profiler.stop')
  await writeFile('/tmp/api.cpuprofile', JSON.stringify(profile))
  console.log('kept', k.requestsPerSecond.toFixed(0), 'req/s p99', k.latencyMs.p99, 'cpu µs', k.serverCpuUs.toFixed(0))
  await bare.close(); await server.close()
} finally { await database.drop() }
