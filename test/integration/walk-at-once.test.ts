import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Queue } from 'bullmq'
import { eq } from 'drizzle-orm'
import { Hono } from 'hono'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiApp } from '../../src/api/app.ts'
import { createApiToken } from '../../src/auth/tokens.ts'
import { breaks, promises, runs } from '../../src/db/schema.ts'
import { decrypt } from '../../src/infra/crypto.ts'
import { createRedisConnection } from '../../src/infra/redis.ts'
import { QUEUES, type JourneyJob } from '../../src/queue/jobs.ts'
import { startJourneyWorker, type JourneyWorker } from '../../src/queue/journey-worker.ts'
import { Scheduler } from '../../src/queue/scheduler.ts'
import { startRecorder, type Recorder } from '../../src/recorder/recorder.ts'
import { resolveChromium } from '../../src/runner/browser-path.ts'
import { BrowserPool } from '../../src/runner/browser-pool.ts'
import { pageRoutes } from '../../src/ui/app.tsx'
import { fakeTry, usersByRole, type Signed } from '../e2e/ui-fixtures.ts'
import { startFixtureSite, type FixtureSite } from '../fixtures/site.tsx'
import { freshDatabase, uniquePrefix } from '../support/db.ts'
import { dropPrefix } from '../support/redis.ts'
import { until } from '../support/wait.ts'

// A promise is walked the moment it is created, resumed or its journey
// changes, through the real path (API → scheduler → queue → worker →
// recorder); the promise page follows the walk; no hidden step limit; and
// our own faults (a missing secret, a blocked target) are errors, never breaks.

describe('walked at once, judged fairly', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let site: FixtureSite
  let redis: Redis
  let prefix: string
  let dataDir: string
  let pool: BrowserPool
  let journeys: Queue<JourneyJob>
  let scheduler: Scheduler
  let worker: JourneyWorker
  let recorder: Recorder
  let http: Hono
  let token: string
  let viewer: Signed
  const key = randomBytes(32)
  const figures: string[] = []

  beforeAll(async () => {
    pg = await freshDatabase()
    site = await startFixtureSite()
    redis = createRedisConnection('redis://127.0.0.1:6379', { worker: true })
    prefix = uniquePrefix('walk-now')
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-walk-now-'))
    pool = new BrowserPool({ executablePath: resolveChromium(process.env)?.path })
    journeys = new Queue(QUEUES.journeys, { connection: redis, prefix })
    scheduler = new Scheduler({ db: pg.db, queue: journeys, redis, prefix })
    recorder = startRecorder({ connection: redis, prefix, db: pg.db, maxBackoffMs: 1000 })
    worker = startJourneyWorker({ connection: redis, prefix, pool, concurrency: 1, dataDir, workerId: 'in-test', decryptSecret: (e) => decrypt(key, e) })
    const deps = { db: pg.db, scheduler, dataDir }
    http = new Hono()
      .route('/api', createApiApp({ ...deps, secretKey: key, health: async () => ({ ok: true }), testChannel: async () => {}, previewDigest: async () => null }))
      .route('/', pageRoutes({ ...deps, tryJourney: fakeTry(dataDir), secretKey: key }))
    token = (await createApiToken(pg.db, { name: 'walk-now', role: 'admin' })).token
    viewer = (await usersByRole(pg.db, 'walk')).viewer
  })
  afterAll(async () => {
    await worker?.close()
    await recorder?.close()
    await pool?.close()
    for (const name of Object.values(QUEUES)) {
      const queue = new Queue(name, { connection: redis, prefix })
      await queue.obliterate({ force: true }).catch(() => {})
      await queue.close()
    }
    await journeys?.close()
    await dropPrefix(prefix)
    redis?.disconnect()
    await site?.close()
    await pg?.drop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
    console.log(`walk at once: ${figures.join('; ')}`)
  })

  const api = (method: string, url: string, body?: unknown) =>
    http.request(url, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  const runsOf = (promiseId: string) => pg.db.select().from(runs).where(eq(runs.promiseId, promiseId))
  const live = async (promiseId: string) =>
    (await (await http.request(`http://localhost/promises/${promiseId}/live`, { headers: { cookie: viewer.cookie } })).json()) as {
      walking: boolean
      lastRunId: string | null
      nextWalkAt: string | null
    }

  it('walks a promise created through the API within seconds, and the page follows it', { timeout: 60_000 }, async () => {
    const started = Date.now()
    const res = await api('POST', '/api/v1/promises', {
      title: 'Sign in in 1 click',
      journey: [`go to ${site.url}/login`, 'click "Sign in"', 'expect "Welcome back"'].join('\n'),
      budgets: { maxClicks: 1 },
      schedule: { everySeconds: 3600 },
    })
    expect(res.status).toBe(201)
    const { id } = (await res.json()) as { id: string }
    const during = await live(id)
    expect(during.walking).toBe(true)
    expect(new Date(during.nextWalkAt!).getTime()).toBeGreaterThan(Date.now())
    const [run] = await until(async () => {
      const rows = await runsOf(id)
      return rows.length > 0 && rows
    }, 'the first walk', 45_000)
    const seconds = (Date.now() - started) / 1000
    figures.push(`first walk recorded ${seconds.toFixed(1)} s after creation (schedule every 3600 s)`)
    expect(run!.trigger).toBe('manual')
    expect(run!.outcome).toBe('kept')
    const after = await live(id)
    expect(after).toMatchObject({ walking: false, lastRunId: run!.id })

    // A new title walks nothing; a new journey walks again.
    await api('PATCH', `/api/v1/promises/${id}`, { title: 'Sign in in one click' })
    expect((await live(id)).walking).toBe(false)
    await api('PATCH', `/api/v1/promises/${id}`, { journey: [`go to ${site.url}/login`, 'click "Sign in"', 'expect "Signed in as"'].join('\n') })
    expect((await live(id)).walking).toBe(true)
    await until(async () => (await runsOf(id)).length === 2, 'the walk after the journey changed', 45_000)

    // Paused, then resumed: walked at once again.
    await api('PATCH', `/api/v1/promises/${id}`, { paused: true })
    await api('PATCH', `/api/v1/promises/${id}`, { paused: false })
    await until(async () => (await runsOf(id)).length === 3, 'the walk after resuming', 45_000)
  })

  it('keeps a 12 s step inside a 45 s promise: no hidden step limit', { timeout: 90_000 }, async () => {
    const [row] = await pg.db
      .insert(promises)
      .values({ title: 'The slow page in under 45 seconds', journey: `go to ${site.url}/slow?ms=12000\nexpect "Finally here"`, budgets: { maxSeconds: 45 } })
      .returning()
    await scheduler.runNow(row!.id)
    const [run] = await until(async () => {
      const rows = await runsOf(row!.id)
      return rows.length > 0 && rows
    }, 'the slow walk', 80_000)
    expect(run!.outcome, JSON.stringify(run!.failure)).toBe('kept')
    expect(run!.steps[0]!.durationMs).toBeGreaterThanOrEqual(12_000)
    figures.push(`a ${(run!.steps[0]!.durationMs / 1000).toFixed(1)} s step kept in a 45 s promise`)
  })

  it('records a missing secret as an error naming it, and opens no break', { timeout: 90_000 }, async () => {
    const [row] = await pg.db
      .insert(promises)
      .values({ title: 'Sign in with a secret', journey: `go to ${site.url}/login\nfill "Password" with "{{secrets.SHOP_PASSWORD}}"\nclick "Sign in"` })
      .returning()
    for (let i = 0; i < 3; i++) {
      await scheduler.runNow(row!.id)
      await until(async () => (await runsOf(row!.id)).length === i + 1, `error run ${i + 1}`, 30_000)
    }
    const recorded = await runsOf(row!.id)
    expect(recorded.map((r) => r.outcome)).toEqual(['error', 'error', 'error'])
    expect(recorded[0]!.failure!.message).toContain('the secret SHOP_PASSWORD is not set')
    expect(recorded[0]!.failure!.message).toContain('/settings/secrets')
    expect(await pg.db.select().from(breaks).where(eq(breaks.promiseId, row!.id))).toEqual([])
    const [after] = await pg.db.select().from(promises).where(eq(promises.id, row!.id))
    expect(after!.state).not.toBe('broken')
  })
})
