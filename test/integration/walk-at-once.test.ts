import { eq } from 'drizzle-orm'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken } from '../../src/auth/tokens.ts'
import { breaks, promises, runs } from '../../src/db/schema.ts'
import { keptApp, usersByRole, type Signed } from '../e2e/ui-fixtures.ts'
import { startFixtureSite, type FixtureSite } from '../fixtures/site.tsx'
import { journeyPipeline } from '../support/pipeline.ts'
import { until } from '../support/wait.ts'

// A promise is walked the moment it is created, resumed or its journey
// changes, through the real path (API → scheduler → queue → worker →
// recorder); the promise page follows the walk; no hidden step limit; and
// our own faults (a missing secret, a blocked target) are errors, never breaks.

describe('walked at once, judged fairly', () => {
  const pipe = journeyPipeline('walk-now')
  let site: FixtureSite
  let http: Hono
  let token: string
  let viewer: Signed
  const figures: string[] = []

  beforeAll(async () => {
    site = await startFixtureSite()
    http = keptApp({ db: pipe.pg.db, dataDir: pipe.dataDir, scheduler: pipe.scheduler, secretKey: pipe.key })
    token = (await createApiToken(pipe.pg.db, { name: 'walk-now', role: 'admin' })).token
    viewer = (await usersByRole(pipe.pg.db, 'walk')).viewer
  })
  afterAll(async () => {
    await site?.close()
    console.log(`walk at once: ${figures.join('; ')}`)
  })

  const api = (method: string, url: string, body?: unknown) =>
    http.request(url, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  const runsOf = (promiseId: string) => pipe.pg.db.select().from(runs).where(eq(runs.promiseId, promiseId))
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
    const [row] = await pipe.pg.db
      .insert(promises)
      .values({ title: 'The slow page in under 45 seconds', journey: `go to ${site.url}/slow?ms=12000\nexpect "Finally here"`, budgets: { maxSeconds: 45 } })
      .returning()
    await pipe.scheduler.runNow(row!.id)
    const [run] = await until(async () => {
      const rows = await runsOf(row!.id)
      return rows.length > 0 && rows
    }, 'the slow walk', 80_000)
    expect(run!.outcome, JSON.stringify(run!.failure)).toBe('kept')
    expect(run!.steps[0]!.durationMs).toBeGreaterThanOrEqual(12_000)
    figures.push(`a ${(run!.steps[0]!.durationMs / 1000).toFixed(1)} s step kept in a 45 s promise`)
  })

  it('records a missing secret as an error naming it, and opens no break', { timeout: 90_000 }, async () => {
    const [row] = await pipe.pg.db
      .insert(promises)
      .values({ title: 'Sign in with a secret', journey: `go to ${site.url}/login\nfill "Password" with "{{secrets.SHOP_PASSWORD}}"\nclick "Sign in"` })
      .returning()
    for (let i = 0; i < 3; i++) {
      await pipe.scheduler.runNow(row!.id)
      await until(async () => (await runsOf(row!.id)).length === i + 1, `error run ${i + 1}`, 30_000)
    }
    const recorded = await runsOf(row!.id)
    expect(recorded.map((r) => r.outcome)).toEqual(['error', 'error', 'error'])
    expect(recorded[0]!.failure!.message).toContain('the secret SHOP_PASSWORD is not set')
    expect(recorded[0]!.failure!.message).toContain('/settings/secrets')
    expect(await pipe.pg.db.select().from(breaks).where(eq(breaks.promiseId, row!.id))).toEqual([])
    const [after] = await pipe.pg.db.select().from(promises).where(eq(promises.id, row!.id))
    expect(after!.state).not.toBe('broken')
  })
})
