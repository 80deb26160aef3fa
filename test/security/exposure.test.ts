import { Hono } from 'hono'
import { every } from 'hono/combine'
import { Registry } from 'prom-client'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpApp } from '../../src/app/http.ts'
import { authenticate, requireAction } from '../../src/auth/middleware.ts'
import { createApiToken } from '../../src/auth/tokens.ts'
import { freshDatabase } from '../support/db.ts'
import { sql } from 'drizzle-orm'
import { createApiApp } from '../../src/api/app.ts'
import { openPostgres } from '../../src/db/client.ts'
import { recordingScheduler } from '../integration/api-fixtures.ts'

// What a stranger may learn: /metrics needs a token unless
// KEPT_METRICS_PUBLIC=1 (no guard), as the control plane mounts it.

describe('/metrics', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let token: string
  const registry = new Registry()
  const parts = () => ({ logger: pino({ level: 'silent' }), api: new Hono(), digests: new Hono(), pages: new Hono(), metrics: registry })
  beforeAll(async () => {
    pg = await freshDatabase()
    token = (await createApiToken(pg.db, { name: 'scraper', role: 'viewer' })).token
  })
  afterAll(async () => {
    await pg?.drop()
    console.log('exposure: /metrics refused without a token, served with one, open only when made public')
  })

  it('refuses a scrape without a token and serves one with it', async () => {
    const app = createHttpApp({ ...parts(), metricsGuard: every(authenticate({ db: pg.db }), requireAction('read')) })
    const stranger = await app.request('/metrics')
    expect(stranger.status).toBe(401)
    expect(await stranger.text()).not.toContain('nodejs_version')
    const scraper = await app.request('/metrics', { headers: { authorization: `Bearer ${token}` } })
    expect(scraper.status).toBe(200)
  })

  it('is open when metrics are public', async () => {
    const app = createHttpApp(parts())
    expect((await app.request('/metrics')).status).toBe(200)
  })
})

describe('the API while Postgres is down', () => {
  it('answers 503 with Retry-After within seconds, never a 500 or a hang', async () => {
    // A database that is not there: a port nobody listens on.
    const gone = openPostgres('postgres://postgres@127.0.0.1:1/kept', { max: 1 })
    try {
      const api = createApiApp({
        db: gone.db,
        scheduler: recordingScheduler(),
        secretKey: Buffer.alloc(32, 1),
        dataDir: '/nonexistent',
        health: async () => ({ ok: false }),
        testChannel: async () => {},
        previewDigest: async (week) => ({ week, promises: [] }),
      })
      const started = performance.now()
      const res = await api.request('/v1/promises', { headers: { authorization: 'Bearer kept_abc_def' } })
      const ms = performance.now() - started
      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('5')
      expect(((await res.json()) as { detail: string }).detail).toMatch(/^the database is not answering/)
      expect(ms).toBeLessThan(6000)
      console.log(`exposure: API with Postgres down answered 503 in ${Math.round(ms)} ms`)

      const pages = createHttpApp({
        logger: pino({ level: 'silent' }),
        api: new Hono(),
        digests: new Hono(),
        pages: new Hono().get('/', () => gone.db.execute(sql`select 1`).then(() => new Response('ok'))),
        metrics: new Registry(),
      })
      const page = await pages.request('/')
      expect(page.status).toBe(503)
      expect(await page.text()).toContain('Kept cannot reach its database')
      // The liveness probe: alive, without a token, saying nothing more (a restart would not bring Postgres back).
      const live = await pages.request('/livez')
      expect(live.status).toBe(200)
      expect(await live.json()).toEqual({ ok: true })
    } finally {
      await gone.close()
    }
  })
})
