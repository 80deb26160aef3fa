import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openAlertContext } from '../../src/alerts/context.ts'
import { tellNotWalked } from '../../src/alerts/region-notices.ts'
import { breaks, outbox, promiseRegions, promises } from '../../src/db/schema.ts'
import type { RunResult } from '../../src/domain/run.ts'
import type { RedisClient } from '../../src/infra/redis.ts'
import { JourneyQueues } from '../../src/queue/journey-queues.ts'
import { liveRegions, regionDirectory } from '../../src/queue/regions.ts'
import { Scheduler } from '../../src/queue/scheduler.ts'
import { startWorkerHeartbeat, type WorkerHeartbeat } from '../../src/queue/worker-heartbeat.ts'
import { recordResult } from '../../src/recorder/record.ts'
import { testAlertSettings } from '../support/alert-settings.ts'
import { uniquePrefix } from '../support/db.ts'
import { dropPrefix, testRedis, testRedisTarget } from '../support/redis.ts'
import { kept } from '../support/kept-process.ts'
import { apiHarness, promiseBody, type Harness } from './api-fixtures.ts'

// Regions (issue 20, part 1) against real Postgres and Redis: the live
// regions read from the workers' heartbeats, the API's regions field and
// its refusals, one scheduler per promise and region, verdicts and breaks
// per region, and the tech owner told once of a region no worker walks.

describe('regions', () => {
  let h: Harness
  let redis: RedisClient
  let prefix: string
  let queues: JourneyQueues
  let scheduler: Scheduler
  const beats: WorkerHeartbeat[] = []

  const beat = (region: string) => {
    const heartbeat = startWorkerHeartbeat({ redis, prefix, region, workerId: `w-${region}-${randomUUID().slice(0, 4)}`, concurrency: 1 })
    beats.push(heartbeat)
    return heartbeat
  }

  beforeAll(async () => {
    redis = testRedis({ worker: true })
    prefix = uniquePrefix('regions')
    queues = new JourneyQueues(redis, prefix)
    h = await apiHarness({ regions: regionDirectory(redis, prefix, 'local') })
    scheduler = new Scheduler({ db: h.db, queue: queues.of('local'), queues, redis, prefix })
    // Workers of eu and us are alive; none of the region local.
    beat('eu')
    beat('us')
    await expectLive(['eu', 'us'])
  })

  afterAll(async () => {
    await Promise.all(beats.map((b) => b.stop()))
    await queues?.close()
    await h?.close()
    redis?.disconnect()
    await dropPrefix(prefix, testRedisTarget())
  })

  const expectLive = async (regions: string[]) => {
    for (let i = 0; i < 50; i++) {
      if (JSON.stringify(await liveRegions(redis, prefix)) === JSON.stringify(regions)) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(await liveRegions(redis, prefix)).toEqual(regions)
  }

  it('reads the live regions from the heartbeats, and drops a worker that stopped', async () => {
    const ap = beat('ap')
    await expectLive(['ap', 'eu', 'us'])
    await ap.stop()
    await expectLive(['eu', 'us'])
  })

  it('refuses a region name with spaces, naming the field and what is expected', async () => {
    const res = await h.call('POST', '/api/v1/promises', { body: promiseBody({ regions: ['eu', 'us east'] }) })
    expect(res.status).toBe(422)
    const problem = await res.json()
    expect(problem.errors).toEqual([{ path: 'regions.1', message: 'expected 1 to 32 lowercase letters, digits or -, like eu or us-east (got "us east")' }])
  })

  // Two `kept` processes started: tens of seconds on two busy cores.
  it('a worker of a region name with spaces stops at once, naming the flag or the variable and what is expected', { timeout: 150_000 }, () => {
    const byFlag = kept(['worker', '--region', 'us east'], { ...process.env, KEPT_REGION: '' })
    expect(byFlag.status).toBe(1)
    expect(byFlag.stderr).toContain('--region: expected 1 to 32 lowercase letters, digits or -, like eu or us-east (got "us east")')
    const byEnv = kept(['worker'], { ...process.env, KEPT_REGION: 'us east' })
    expect(byEnv.status).toBe(1)
    expect(byEnv.stderr).toContain('KEPT_REGION: expected 1 to 32 lowercase letters, digits or -, like eu or us-east')
  })

  it('refuses a region no worker announced, listing those with live workers', async () => {
    const res = await h.call('POST', '/api/v1/promises', { body: promiseBody({ regions: ['eu', 'mars'] }) })
    expect(res.status).toBe(422)
    const problem = await res.json()
    expect(problem.errors).toEqual([
      { path: 'regions.1', message: 'no journey worker walks region "mars" (regions with a live worker: eu, us); start one with `kept worker --region mars` first' },
    ])
  })

  it('defaults to the default region, and shows each region’s verdict, "not walked" where no worker runs', async () => {
    const res = await h.call('POST', '/api/v1/promises', { body: promiseBody() })
    expect(res.status).toBe(201)
    const created = await res.json()
    expect(created.regions).toEqual([{ region: 'local', state: 'not_walked', lastRunAt: null }])
    const [row] = await h.db.select({ regions: promises.regions }).from(promises).where(eq(promises.id, created.id))
    expect(row?.regions).toEqual(['local'])

    const multi = await (await h.call('POST', '/api/v1/promises', { body: promiseBody({ regions: ['eu', 'us'] }) })).json()
    expect(multi.regions).toEqual([
      { region: 'eu', state: 'pending', lastRunAt: null },
      { region: 'us', state: 'pending', lastRunAt: null },
    ])
  })

  it('keeps one scheduler per promise and region, moves it when the regions change, and runs now in every region', async () => {
    const [row] = await h.db.insert(promises).values({ title: 'Two regions', journey: 'go to https://shop.example.com/', regions: ['eu', 'us'], scheduleEverySeconds: 300 }).returning()
    await scheduler.sync(row!.id)
    const has = async (region: string) => (await queues.of(region).getJobScheduler(`promise:${row!.id}`)) != null
    expect([await has('eu'), await has('us'), await has('local')]).toEqual([true, true, false])
    // Two of the promises' schedulers expected (the API's promises above were never scheduled here).
    expect((await scheduler.counts()).present).toBe(2)

    await h.db.update(promises).set({ regions: ['us', 'local'] }).where(eq(promises.id, row!.id))
    await scheduler.sync(row!.id)
    expect([await has('eu'), await has('us'), await has('local')]).toEqual([false, true, true])
    // Once the API's promises are scheduled too, a reconcile finds nothing to change; a scheduler lost from one region is put back.
    await scheduler.reconcile()
    expect(await scheduler.reconcile()).toMatchObject({ upserted: 0, removed: 0 })
    expect(await scheduler.counts()).toEqual({ expected: 5, present: 5 })
    await queues.of('us').removeJobScheduler(`promise:${row!.id}`)
    expect(await scheduler.reconcile()).toMatchObject({ upserted: 1, removed: 0 })
    expect(await has('us')).toBe(true)

    await scheduler.runNow(row!.id)
    const manual = async (region: string) => (await queues.of(region).getJobs(['waiting'])).filter((j) => j.data.trigger === 'manual' && j.data.spec.promiseId === row!.id)
    expect((await manual('us')).length).toBe(1)
    expect((await manual('local')).length).toBe(1)
    expect((await manual('eu')).length).toBe(0)

    await scheduler.remove(row!.id)
    expect([await has('eu'), await has('us'), await has('local')]).toEqual([false, false, false])
  })

  const result = (promiseId: string, region: string, outcome: RunResult['outcome'], at: number): RunResult => ({
    runId: randomUUID(),
    promiseId,
    trigger: 'schedule',
    outcome,
    clicks: 2,
    durationMs: 900,
    startedAt: new Date(at).toISOString(),
    finishedAt: new Date(at + 900).toISOString(),
    steps: [],
    failure: outcome === 'broken' ? { kind: 'step', line: 1, message: 'net::ERR_ADDRESS_UNREACHABLE' } : null,
    vitals: {},
    screenshotPath: null,
    tracePath: null,
    workerId: `w-${region}`,
    region,
  })

  it('judges each region on its own walks: a break belongs to its region, the promise shows the worst', async () => {
    const [row] = await h.db.insert(promises).values({ title: 'Checkout', journey: 'go to https://shop.example.com/', regions: ['eu', 'us'], breakAfter: 2 }).returning()
    const t = Date.now() - 60_000
    await recordResult(h.db, result(row!.id, 'us', 'kept', t))
    await recordResult(h.db, result(row!.id, 'eu', 'broken', t + 1000))
    // Kept in us in between does not reset eu's streak.
    await recordResult(h.db, result(row!.id, 'us', 'kept', t + 2000))
    const opened = await recordResult(h.db, result(row!.id, 'eu', 'broken', t + 3000))
    expect(opened.status === 'recorded' && opened.changes.map((c) => [c.type, c.region])).toEqual([['break.opened', 'eu']])

    const [brk] = await h.db.select().from(breaks).where(eq(breaks.promiseId, row!.id))
    expect(brk).toMatchObject({ region: 'eu', resolvedAt: null })
    const [p] = await h.db.select().from(promises).where(eq(promises.id, row!.id))
    expect(p).toMatchObject({ state: 'broken', openBreakId: brk!.id })

    const view = await (await h.call('GET', `/api/v1/promises/${row!.id}`)).json()
    expect(view.state).toBe('broken')
    expect(view.regions.map((r: { region: string; state: string }) => `${r.state} in ${r.region}`)).toEqual(['broken in eu', 'kept in us'])
    expect(view.openBreak.id).toBe(brk!.id)

    // Broken in us too: a second break, of us, while eu's is open.
    await recordResult(h.db, result(row!.id, 'us', 'broken', t + 4000))
    await recordResult(h.db, result(row!.id, 'us', 'broken', t + 5000))
    expect((await h.db.select().from(breaks).where(eq(breaks.promiseId, row!.id))).map((b) => b.region).sort()).toEqual(['eu', 'us'])

    // eu mended: its break resolves, us's stays open, the promise is still broken.
    const mended = await recordResult(h.db, result(row!.id, 'eu', 'kept', t + 6000))
    expect(mended.status === 'recorded' && mended.changes.map((c) => [c.type, c.region])).toEqual([['break.resolved', 'eu']])
    const [after] = await h.db.select().from(promises).where(eq(promises.id, row!.id))
    expect(after?.state).toBe('broken')
    const regions = await h.db.select().from(promiseRegions).where(eq(promiseRegions.promiseId, row!.id))
    expect(Object.fromEntries(regions.map((r) => [r.region, r.state]))).toEqual({ eu: 'kept', us: 'broken' })
  })

  it('tells the tech owner once that a region has no live worker, and again after the next outage', async () => {
    const ctx = openAlertContext({ connection: redis, prefix, db: h.db, secretKey: h.deps.secretKey, settings: testAlertSettings(h.dataDir), mailer: { transport: null as never, configured: false, from: 'kept@localhost' } })
    try {
      const [row] = await h.db.insert(promises).values({ title: 'Pay from Sydney', journey: 'go to https://shop.example.com/', regions: ['eu', 'ap'], techOwner: 'tom@example.com' }).returning()
      const told = async () => (await h.db.select().from(outbox).where(eq(outbox.promiseId, row!.id))).filter((m) => m.kind === 'region')

      // The first tick sees ap absent; the grace has not passed yet.
      expect(await tellNotWalked(ctx, { graceMs: 60_000 })).toBe(0)
      expect(await tellNotWalked(ctx, { graceMs: 0 })).toBe(1)
      expect(await tellNotWalked(ctx, { graceMs: 0 })).toBe(0)
      const mails = await told()
      expect(mails).toHaveLength(1)
      expect(mails[0]).toMatchObject({ to: ['tom@example.com'], subject: 'Kept: “Pay from Sydney” is not walked in ap (no worker)' })
      expect(mails[0]!.text).toContain('kept worker --region ap')

      // A worker of ap walks it: told no more; when ap stops again, told again.
      const ap = beat('ap')
      await expectLive(['ap', 'eu', 'us'])
      await recordResult(h.db, result(row!.id, 'ap', 'kept', Date.now()))
      expect(await tellNotWalked(ctx, { graceMs: 0 })).toBe(0)
      await ap.stop()
      await expectLive(['eu', 'us'])
      expect(await tellNotWalked(ctx, { graceMs: 0 })).toBe(1)
      expect(await told()).toHaveLength(2)
    } finally {
      await ctx.close()
    }
  })
})
