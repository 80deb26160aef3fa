import { Hono } from 'hono'
import { every } from 'hono/combine'
import { Registry } from 'prom-client'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpApp } from '../../src/app/http.ts'
import { authenticate, requireAction } from '../../src/auth/middleware.ts'
import { createApiToken } from '../../src/auth/tokens.ts'
import { freshDatabase } from '../support/db.ts'

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
