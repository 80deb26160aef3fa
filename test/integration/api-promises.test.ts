import { randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { breaks, promises, runs } from '../../src/db/schema.ts'
import { apiHarness, journey, promiseBody, type Harness } from './api-fixtures.ts'

let h: Harness
beforeAll(async () => {
  h = await apiHarness()
})
afterAll(async () => {
  await h?.close()
})
beforeEach(() => {
  h.scheduler.calls.length = 0
})

async function create(over: Record<string, unknown> = {}) {
  const res = await h.call('POST', '/api/v1/promises', { as: 'marketing', body: promiseBody(over) })
  expect(res.status).toBe(201)
  return (await res.json()) as { id: string; [key: string]: unknown }
}

async function addRun(promiseId: string, startedAt: Date, over: Partial<typeof runs.$inferInsert> = {}) {
  const id = randomUUID()
  await h.db.insert(runs).values({
    id,
    promiseId,
    trigger: 'schedule',
    outcome: 'kept',
    clicks: 3,
    durationMs: 1500,
    startedAt,
    finishedAt: new Date(startedAt.getTime() + 1500),
    ...over,
  })
  return id
}

describe('POST /api/v1/promises', () => {
  it('stores the promise, answers 201 with its state, and schedules it', async () => {
    const res = await h.call('POST', '/api/v1/promises', { as: 'marketing', body: promiseBody() })
    expect(res.status).toBe(201)
    const body = await res.json()
    expect(res.headers.get('location')).toBe(`/api/v1/promises/${body.id}`)
    expect(body).toMatchObject({
      title: 'Order online in 3 clicks',
      journey,
      budgets: { maxClicks: 3, maxSeconds: 60 },
      schedule: { everySeconds: 60 },
      dailyCustomers: 1200,
      detractorRate: 0.25,
      device: 'desktop',
      state: 'pending',
      channels: [],
      lastRun: null,
      openBreak: null,
    })
    expect(h.scheduler.calls).toEqual([{ method: 'sync', promiseId: body.id }])
    const [row] = await h.db.select().from(promises).where(eq(promises.id, body.id))
    expect(row!.scheduleEverySeconds).toBe(60)
  })

  it('accepts a cron schedule with a time zone', async () => {
    const body = await create({ schedule: { cron: '0 9 * * 1', timezone: 'Europe/Paris' } })
    expect(body.schedule).toEqual({ cron: '0 9 * * 1', timezone: 'Europe/Paris' })
  })

  it('names every field that does not validate, and stores nothing', async () => {
    const before = (await h.db.select().from(promises)).length
    const res = await h.call('POST', '/api/v1/promises', {
      as: 'marketing',
      body: promiseBody({
        title: '',
        budgets: { maxClicks: 2.5, maxSecnds: 3 },
        schedule: { everySeconds: 5 },
        detractorRate: 2,
        marketingOwner: 'ana',
        device: 'tablet',
      }),
    })
    expect(res.status).toBe(422)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    const problem = await res.json()
    expect(problem).toMatchObject({ type: 'about:blank', title: 'Unprocessable Content', status: 422 })
    const byPath = Object.fromEntries(problem.errors.map((e: { path: string; message: string }) => [e.path, e.message]))
    expect(byPath).toMatchObject({
      title: 'expected the promise in marketing words',
      'budgets.maxClicks': 'expected a whole number of clicks from 0 to 1000',
      'schedule.everySeconds': 'expected at least 30 seconds',
      detractorRate: 'expected a share from 0 to 1 (0 % to 100 %)',
      marketingOwner: "expected the marketing owner's email address",
      device: 'expected "desktop" or "phone"',
    })
    expect(byPath.budgets).toMatch(/maxSecnds/)
    expect(problem.detail).toMatch(/^title: expected the promise in marketing words/)
    expect((await h.db.select().from(promises)).length).toBe(before)
    expect(h.scheduler.calls).toEqual([])
  })

  it('explains a schedule that is neither an interval nor a cron pattern', async () => {
    for (const schedule of [{}, { everySeconds: 60, cron: '* * * * *' }, { cron: 'every day' }, { cron: '0 9 * * 1', timezone: 'Mars/Olympus' }]) {
      const res = await h.call('POST', '/api/v1/promises', { as: 'marketing', body: promiseBody({ schedule }) })
      expect(res.status).toBe(422)
      const { errors } = await res.json()
      expect(errors[0].path).toMatch(/^schedule/)
    }
  })

  it('answers 422 with the line and column of a journey that does not parse', async () => {
    const res = await h.call('POST', '/api/v1/promises', {
      as: 'marketing',
      body: promiseBody({ journey: 'go to http://127.0.0.1:4100/\nclick "Shop now"\nclick Add to cart' }),
    })
    expect(res.status).toBe(422)
    const problem = await res.json()
    expect(problem.errors).toHaveLength(1)
    expect(problem.errors[0].path).toBe('journey')
    expect(problem.errors[0].message).toMatch(/^line 3, column \d+: /)
    expect(problem.detail).toMatch(/^journey: line 3, column/)
  })

  it('refuses unknown channels, naming the index', async () => {
    const ghost = randomUUID()
    const res = await h.call('POST', '/api/v1/promises', { as: 'marketing', body: promiseBody({ channels: [ghost] }) })
    expect(res.status).toBe(422)
    expect((await res.json()).errors).toEqual([{ path: 'channels.0', message: `no channel with id ${ghost}` }])
  })

  it('answers 400 for a body that is not JSON, and 413 over 256 KB', async () => {
    const bad = await h.call('POST', '/api/v1/promises', { as: 'marketing', body: '{"title": ' })
    expect(bad.status).toBe(400)
    expect(bad.headers.get('content-type')).toBe('application/problem+json')
    const big = await h.call('POST', '/api/v1/promises', { as: 'marketing', body: promiseBody({ description: 'x'.repeat(300 * 1024) }) })
    expect(big.status).toBe(413)
    expect((await big.json()).detail).toMatch(/256 KB/)
  })
})

describe('channels of a promise', () => {
  it('routes a promise to channels and changes them with PATCH', async () => {
    const channel = async (name: string) => {
      const res = await h.call('POST', '/api/v1/channels', {
        as: 'tech',
        body: { type: 'webhook', name, config: { url: 'http://127.0.0.1:9/hook', secret: 'a-very-long-shared-secret' } },
      })
      return (await res.json()).id as string
    }
    const [a, b] = [await channel('a'), await channel('b')]
    const promise = await create({ channels: [a] })
    expect(promise.channels).toEqual([a])
    const res = await h.call('PATCH', `/api/v1/promises/${promise.id}`, { as: 'marketing', body: { channels: [a, b] } })
    expect((await res.json()).channels).toEqual([a, b].sort())
    const cleared = await h.call('PATCH', `/api/v1/promises/${promise.id}`, { as: 'marketing', body: { channels: [] } })
    expect((await cleared.json()).channels).toEqual([])
  })
})

describe('GET /api/v1/promises', () => {
  it('filters by state and owner, and pages with a cursor', async () => {
    const owner = `owner-${randomUUID().slice(0, 8)}@example.com`
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await create({ title: `Paged ${i}`, techOwner: owner })).id)
    await h.db.update(promises).set({ state: 'broken' }).where(eq(promises.id, ids[1]!))
    await h.call('PATCH', `/api/v1/promises/${ids[2]}`, { as: 'marketing', body: { paused: true } })

    const seen: string[] = []
    let cursor: string | null = null
    do {
      const url: string = `/api/v1/promises?owner=${owner}&limit=2${cursor ? `&cursor=${cursor}` : ''}`
      const page = await (await h.call('GET', url, { as: 'viewer' })).json()
      expect(page.items.length).toBeLessThanOrEqual(2)
      seen.push(...page.items.map((p: { id: string }) => p.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen).toEqual(ids)

    const broken = await (await h.call('GET', `/api/v1/promises?owner=${owner}&state=broken`, { as: 'viewer' })).json()
    expect(broken.items.map((p: { id: string }) => p.id)).toEqual([ids[1]])
    const paused = await (await h.call('GET', `/api/v1/promises?owner=${owner}&state=paused`, { as: 'viewer' })).json()
    expect(paused.items.map((p: { id: string; state: string }) => [p.id, p.state])).toEqual([[ids[2], 'paused']])
  })

  it('refuses a bad limit, state or cursor, naming the query field', async () => {
    const limit = await h.call('GET', '/api/v1/promises?limit=500')
    expect(limit.status).toBe(422)
    expect((await limit.json()).errors[0]).toEqual({ path: 'query.limit', message: 'expected 1 to 100' })
    const state = await h.call('GET', '/api/v1/promises?state=fine')
    expect((await state.json()).errors[0].path).toBe('query.state')
    const cursor = await h.call('GET', '/api/v1/promises?cursor=garbage')
    expect(cursor.status).toBe(422)
    expect((await cursor.json()).errors[0].path).toBe('query.cursor')
  })
})

describe('GET, PATCH, DELETE /api/v1/promises/:id', () => {
  it('shows the last run and the open break', async () => {
    const promise = await create()
    const runId = await addRun(promise.id, new Date('2026-11-20T10:00:00Z'), { outcome: 'broken' })
    const [brk] = await h.db
      .insert(breaks)
      .values({ promiseId: promise.id, openedAt: new Date('2026-11-20T10:00:00Z'), openedByRunId: runId })
      .returning()
    await h.db
      .update(promises)
      .set({ state: 'broken', lastRunId: runId, lastRunAt: new Date('2026-11-20T10:00:01.5Z'), openBreakId: brk!.id })
      .where(eq(promises.id, promise.id))
    const body = await (await h.call('GET', `/api/v1/promises/${promise.id}`, { as: 'viewer' })).json()
    expect(body).toMatchObject({
      state: 'broken',
      lastRun: { id: runId, outcome: 'broken', clicks: 3, durationMs: 1500, startedAt: '2026-11-20T10:00:00.000Z' },
      openBreak: { id: brk!.id, openedAt: '2026-11-20T10:00:00.000Z', acknowledgedAt: null },
    })
  })

  it('updates some fields, keeps the others, and syncs the schedule', async () => {
    const promise = await create()
    const res = await h.call('PATCH', `/api/v1/promises/${promise.id}`, {
      as: 'marketing',
      body: { title: 'Order in 2 clicks', budgets: { maxClicks: 2 }, schedule: { cron: '*/5 * * * *' } },
    })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toMatchObject({
      title: 'Order in 2 clicks',
      budgets: { maxClicks: 2 },
      schedule: { cron: '*/5 * * * *', timezone: null },
      journey,
      dailyCustomers: 1200,
    })
    expect(h.scheduler.calls).toEqual([
      { method: 'sync', promiseId: promise.id },
      { method: 'sync', promiseId: promise.id },
    ])
    const paused = await (await h.call('PATCH', `/api/v1/promises/${promise.id}`, { as: 'marketing', body: { paused: true } })).json()
    expect(paused.state).toBe('paused')
  })

  it('publishes a promise on the status page in customers’ words, and refuses an empty public title', async () => {
    const promise = await create({ public: true, publicTitle: 'Order online in 3 clicks' })
    expect(promise).toMatchObject({ public: true, publicTitle: 'Order online in 3 clicks' })
    expect(await create()).toMatchObject({ public: false, publicTitle: null })
    const refused = await h.call('PATCH', `/api/v1/promises/${promise.id}`, { as: 'marketing', body: { publicTitle: '  ', public: 'yes' } })
    expect(refused.status).toBe(422)
    const errors = ((await refused.json()) as { errors: { path: string; message: string }[] }).errors
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: 'publicTitle', message: 'expected the promise in customers’ words, or null for its title' },
        { path: 'public', message: 'expected true or false' },
      ]),
    )
    const hidden = await (await h.call('PATCH', `/api/v1/promises/${promise.id}`, { as: 'marketing', body: { public: false, publicTitle: null } })).json()
    expect(hidden).toMatchObject({ public: false, publicTitle: null })
  })

  it('refuses a bad journey on PATCH and changes nothing', async () => {
    const promise = await create()
    const res = await h.call('PATCH', `/api/v1/promises/${promise.id}`, { as: 'marketing', body: { title: 'New', journey: 'fly to the moon' } })
    expect(res.status).toBe(422)
    expect((await res.json()).errors[0]).toMatchObject({ path: 'journey', message: expect.stringMatching(/^line 1, column 1: /) })
    const after = await (await h.call('GET', `/api/v1/promises/${promise.id}`)).json()
    expect(after.title).toBe('Order online in 3 clicks')
  })

  it('deletes the promise and its schedule', async () => {
    const promise = await create()
    h.scheduler.calls.length = 0
    expect((await h.call('DELETE', `/api/v1/promises/${promise.id}`, { as: 'marketing' })).status).toBe(204)
    expect(h.scheduler.calls).toEqual([{ method: 'remove', promiseId: promise.id }])
    const gone = await h.call('GET', `/api/v1/promises/${promise.id}`)
    expect(gone.status).toBe(404)
    expect(await gone.json()).toMatchObject({ status: 404, detail: `no promise with id ${promise.id}` })
  })

  it('answers 404 for unknown and malformed ids', async () => {
    expect((await h.call('GET', `/api/v1/promises/${randomUUID()}`)).status).toBe(404)
    expect((await h.call('GET', '/api/v1/promises/not-a-uuid')).status).toBe(404)
    expect((await h.call('PATCH', '/api/v1/promises/not-a-uuid', { body: { title: 'x' } })).status).toBe(404)
  })
})

describe('runs', () => {
  it('runs a promise now: 202 with the run id from the scheduler', async () => {
    const promise = await create()
    h.scheduler.calls.length = 0
    const res = await h.call('POST', `/api/v1/promises/${promise.id}/run`, { as: 'tech' })
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ runId: '00000000-0000-4000-8000-000000000001' })
    expect(h.scheduler.calls).toEqual([{ method: 'runNow', promiseId: promise.id }])
  })

  it('lists runs newest first, page by page', async () => {
    const promise = await create()
    const base = Date.parse('2026-11-20T10:00:00Z')
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push(await addRun(promise.id, new Date(base + i * 60_000)))
    const first = await (await h.call('GET', `/api/v1/promises/${promise.id}/runs?limit=3`, { as: 'viewer' })).json()
    const second = await (await h.call('GET', `/api/v1/promises/${promise.id}/runs?limit=3&cursor=${first.nextCursor}`, { as: 'viewer' })).json()
    expect([...first.items, ...second.items].map((r: { id: string }) => r.id)).toEqual([...ids].reverse())
    expect(second.nextCursor).toBeNull()
  })

  it('shows a run with its steps, failure and evidence URLs, and serves the evidence', async () => {
    const promise = await create()
    const runId = randomUUID()
    await mkdir(path.join(h.dataDir, 'evidence', runId), { recursive: true })
    await writeFile(path.join(h.dataDir, 'evidence', runId, 'failure.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]))
    await writeFile(path.join(h.dataDir, 'evidence', runId, 'trace.zip'), 'PK trace')
    await writeFile(path.join(h.dataDir, 'outside.txt'), 'not evidence')
    const failure = { kind: 'budget' as const, budget: 'maxClicks' as const, limit: 3, actual: 4, line: null, message: '4 clicks, the promise says at most 3' }
    await addRun(promise.id, new Date('2026-11-20T11:00:00Z'), {
      id: runId,
      outcome: 'broken',
      clicks: 4,
      steps: [{ line: 1, text: 'go to http://127.0.0.1:4100/', outcome: 'passed', durationMs: 300 }],
      failure,
      screenshotPath: `${runId}/failure.png`,
      tracePath: `${runId}/trace.zip`,
    })
    const run = await (await h.call('GET', `/api/v1/runs/${runId}`, { as: 'viewer' })).json()
    expect(run).toMatchObject({
      id: runId,
      promiseId: promise.id,
      outcome: 'broken',
      clicks: 4,
      durationMs: 1500,
      steps: [{ line: 1, text: 'go to http://127.0.0.1:4100/', outcome: 'passed', durationMs: 300, error: null }],
      failure,
      // Recorded before runs had a list of failures: its one failure is the list.
      failures: [failure],
      screenshotUrl: `/api/v1/runs/${runId}/screenshot`,
      traceUrl: `/api/v1/runs/${runId}/trace`,
    })

    const png = await h.call('GET', run.screenshotUrl, { as: 'viewer' })
    expect(png.status).toBe(200)
    expect(png.headers.get('content-type')).toBe('image/png')
    // Evidence may be kept by the browser a while, never embedded by another site.
    expect(png.headers.get('cache-control')).toBe('private, max-age=86400')
    expect(png.headers.get('cross-origin-resource-policy')).toBe('same-origin')
    expect(Buffer.from(await png.arrayBuffer())).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]))
    const trace = await h.call('GET', run.traceUrl, { as: 'viewer' })
    expect(trace.headers.get('content-disposition')).toContain(`trace-${runId}.zip`)
    expect(await trace.text()).toBe('PK trace')
    expect((await h.call('GET', run.screenshotUrl, { as: null })).status).toBe(401)

    // A stored path that climbs out of the evidence folder is never served.
    await h.db.update(runs).set({ screenshotPath: '../outside.txt', tracePath: '/etc/passwd' }).where(eq(runs.id, runId))
    expect((await h.call('GET', run.screenshotUrl)).status).toBe(404)
    expect((await h.call('GET', run.traceUrl)).status).toBe(404)
  })

  it('lists every failure of a run in order: the step that failed, then each budget already blown', async () => {
    const promise = await create()
    const step = { kind: 'step' as const, budget: null, limit: null, actual: null, line: 3, message: 'the page threw: game.cesetRart is not a function' }
    const budget = { kind: 'budget' as const, budget: 'maxSeconds' as const, limit: 10, actual: 14.2, line: 2, message: 'took 14.2 s, the promise allows 10 s; the slowest step, on line 2, took 12.0 s' }
    const runId = await addRun(promise.id, new Date(), { outcome: 'broken', failure: step, failures: [step, budget] })
    const run = await (await h.call('GET', `/api/v1/runs/${runId}`, { as: 'viewer' })).json()
    expect(run.failure).toEqual(step)
    expect(run.failures).toEqual([step, budget])
  })

  it('sends the security headers of a JSON API on every answer, problems included', async () => {
    for (const res of [await h.call('GET', '/api/v1/promises'), await h.call('GET', '/api/v1/promises', { as: null })]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('content-security-policy')).toBe("frame-ancestors 'none'")
      expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/)
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin')
      expect(res.headers.get('cache-control')).toBe('no-store')
      // HTML-only headers are left to the pages.
      expect(res.headers.get('x-xss-protection')).toBeNull()
    }
  })

  it('has no evidence URLs for a run without evidence', async () => {
    const promise = await create()
    const runId = await addRun(promise.id, new Date())
    const run = await (await h.call('GET', `/api/v1/runs/${runId}`)).json()
    expect(run).toMatchObject({ screenshotUrl: null, traceUrl: null, failure: null, failures: [] })
    expect((await h.call('GET', `/api/v1/runs/${runId}/screenshot`)).status).toBe(404)
  })
})
