import { Queue } from 'bullmq'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { promises, secrets } from '../../src/db/schema.ts'
import type { RedisClient } from '../../src/infra/redis.ts'
import { QUEUES, type JourneyJob } from '../../src/queue/jobs.ts'
import { Scheduler, repeatFor, schedulerId } from '../../src/queue/scheduler.ts'
import { buildSpec } from '../../src/queue/spec.ts'
import { freshDatabase, uniquePrefix } from '../support/db.ts'
import { testRedis } from '../support/redis.ts'

const JOURNEY = 'go to http://127.0.0.1:4100/\nfill "Email" with "{{secrets.SHOP_USER}}"\nclick "Shop now"'

describe('scheduler', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let redis: RedisClient
  let queue: Queue<JourneyJob>
  let scheduler: Scheduler

  beforeAll(async () => {
    pg = await freshDatabase()
    redis = testRedis()
    queue = new Queue<JourneyJob>(QUEUES.journeys, { connection: redis, prefix: uniquePrefix('sched') })
    scheduler = new Scheduler({ db: pg.db, queue, timezone: 'Europe/Paris' })
    await pg.db.insert(secrets).values([
      { name: 'SHOP_USER', valueEncrypted: 'v1.enc-user' },
      { name: 'UNUSED', valueEncrypted: 'v1.enc-unused' },
    ])
  })
  afterAll(async () => {
    await queue?.obliterate({ force: true })
    await queue?.close()
    redis?.disconnect()
    await pg?.drop()
  })

  const insert = async (values: Partial<typeof promises.$inferInsert> = {}) => {
    const [row] = await pg.db
      .insert(promises)
      .values({ title: 'Order online in 3 clicks', journey: JOURNEY, scheduleEverySeconds: 30, ...values })
      .returning()
    return row!
  }

  it('gives a promise with a 30 s interval its scheduler: stable id, interval, jitter, spec with encrypted secrets', async () => {
    const row = await insert({ budgets: { maxClicks: 3 } })
    await scheduler.sync(row.id)
    const found = await queue.getJobScheduler(schedulerId(row.id))
    expect(found?.key).toBe(`promise:${row.id}`)
    expect(found?.every).toBe(30_000)
    expect(found?.offset).toBe((repeatFor(row) as { offset: number }).offset)
    expect(found?.offset).toBeGreaterThan(0)
    expect(found?.offset).toBeLessThan(30_000)
    expect(found?.name).toBe('journey')
    expect(found?.template?.data).toEqual({
      spec: {
        promiseId: row.id,
        title: 'Order online in 3 clicks',
        journey: JOURNEY,
        checkFile: null,
        budgets: { maxClicks: 3 },
        device: 'desktop',
        secrets: { SHOP_USER: 'v1.enc-user' },
        // The defaults (confirm broken runs, break after 2): the confirmation run carries the trace.
        traceScheduled: false,
      },
      trigger: 'schedule',
    })
    // Its first job waits for its own slot in the interval.
    const [delayed] = await queue.getDelayed()
    expect(delayed?.id).toMatch(new RegExp(`^repeat:promise:${row.id}:\\d+$`))
    expect((Number(delayed!.id!.split(':').at(-1)) - found!.offset!) % 30_000).toBe(0)
  })

  it('spreads equal intervals: different promises get different offsets, the same promise always the same', () => {
    const rows = ['a', 'b', 'c', 'd', 'e'].map((n) => ({ id: `00000000-0000-4000-8000-00000000000${n}` }))
    const offsets = rows.map((r) => (repeatFor({ ...r, scheduleEverySeconds: 60, scheduleCron: null } as never) as { offset: number }).offset)
    expect(new Set(offsets.map((o) => Math.floor(o / 1000))).size).toBe(5)
    expect(repeatFor({ ...rows[0], scheduleEverySeconds: 60, scheduleCron: null } as never)).toEqual({ every: 60_000, offset: offsets[0] })
  })

  it('raises intervals below 30 s and gives cron schedules a second from the id and the default time zone', async () => {
    const fast = await insert({ scheduleEverySeconds: 5 })
    expect(repeatFor(fast)).toMatchObject({ every: 30_000 })
    const weekly = await insert({ scheduleEverySeconds: null, scheduleCron: '0 9 * * 1' })
    await scheduler.sync(weekly.id)
    const found = await queue.getJobScheduler(schedulerId(weekly.id))
    expect(found?.pattern).toMatch(/^([0-5]?\d) 0 9 \* \* 1$/)
    expect(found?.tz).toBe('Europe/Paris')
    const lyon = await insert({ scheduleEverySeconds: null, scheduleCron: '0 9 * * 1', scheduleTimezone: 'UTC' })
    expect(repeatFor(lyon)).toMatchObject({ tz: 'UTC' })
  })

  it('removes the scheduler when the promise is paused, loses its schedule, or is deleted', async () => {
    const row = await insert()
    await scheduler.sync(row.id)
    expect(await queue.getJobScheduler(schedulerId(row.id))).toBeDefined()
    await pg.db.update(promises).set({ paused: true }).where(eq(promises.id, row.id))
    await scheduler.sync(row.id)
    expect(await queue.getJobScheduler(schedulerId(row.id))).toBeUndefined()

    await pg.db.update(promises).set({ paused: false }).where(eq(promises.id, row.id))
    await scheduler.sync(row.id)
    await pg.db.update(promises).set({ scheduleEverySeconds: null }).where(eq(promises.id, row.id))
    await scheduler.sync(row.id)
    expect(await queue.getJobScheduler(schedulerId(row.id))).toBeUndefined()

    await scheduler.sync(row.id)
    await pg.db.delete(promises).where(eq(promises.id, row.id))
    await scheduler.remove(row.id)
    expect(await queue.getJobScheduler(schedulerId(row.id))).toBeUndefined()
  })

  it('updates the template when the promise changes, keeping one scheduler', async () => {
    const row = await insert()
    await scheduler.sync(row.id)
    await pg.db.update(promises).set({ title: 'Order online in 2 clicks', scheduleEverySeconds: 120 }).where(eq(promises.id, row.id))
    await scheduler.sync(row.id)
    const found = await queue.getJobScheduler(schedulerId(row.id))
    expect(found?.every).toBe(120_000)
    expect(found?.template?.data?.spec.title).toBe('Order online in 2 clicks')
    const jobs = (await queue.getDelayed()).filter((j) => j.id?.startsWith(`repeat:promise:${row.id}:`))
    expect(jobs).toHaveLength(1)
  })

  it('runNow enqueues a manual run with a fresh run id as job id', async () => {
    const row = await insert()
    const runId = await scheduler.runNow(row.id)
    expect(runId).toMatch(/^[0-9a-f-]{36}$/)
    const job = await queue.getJob(runId)
    expect(job?.data).toMatchObject({ runId, trigger: 'manual', spec: { promiseId: row.id } })
    expect(await scheduler.runNow(row.id)).not.toBe(runId)
    await expect(scheduler.runNow('00000000-0000-4000-8000-000000000000')).rejects.toThrow(/promiseId: no promise/)
  })

  it('runFirst walks a promise that never ran once, whatever the restarts, and leaves others alone', async () => {
    const fresh = await insert()
    await scheduler.runFirst(fresh.id)
    await scheduler.runFirst(fresh.id) // a restart before it ran
    const firsts = (await queue.getWaiting()).filter((j) => j.id === `first-${fresh.id}`)
    expect(firsts).toHaveLength(1)
    expect(firsts[0]!.data).toMatchObject({ trigger: 'schedule', spec: { promiseId: fresh.id } })
    expect(firsts[0]!.data.runId).toBeUndefined() // derived from the job id, like a scheduled run

    const ran = await insert({ lastRunAt: new Date() })
    const paused = await insert({ paused: true })
    await scheduler.runFirst(ran.id)
    await scheduler.runFirst(paused.id)
    expect(await queue.getJob(`first-${ran.id}`)).toBeUndefined()
    expect(await queue.getJob(`first-${paused.id}`)).toBeUndefined()
  })

  it('buildSpec carries only referenced secrets for journeys and all of them for code checks', async () => {
    const check = await insert({ journey: '', checkFile: 'order.check.ts' })
    expect((await buildSpec(pg.db, check)).secrets).toEqual({ SHOP_USER: 'v1.enc-user', UNUSED: 'v1.enc-unused' })
    expect((await buildSpec(pg.db, check)).journey).toBeNull()
    const plain = await insert({ journey: 'go to http://127.0.0.1/' })
    expect((await buildSpec(pg.db, plain)).secrets).toEqual({})
  })

  it('reconcile removes orphans (only promise: ones), adds the missing, and is idempotent', async () => {
    await queue.upsertJobScheduler('promise:00000000-0000-4000-8000-00000000dead', { every: 60_000 }, { name: 'journey' })
    await queue.upsertJobScheduler('someone-else', { every: 60_000 }, { name: 'other' })
    const missing = await insert()
    const first = await scheduler.reconcile()
    expect(first.removed).toBe(1)
    expect(first.upserted).toBeGreaterThanOrEqual(1)
    expect(await queue.getJobScheduler(schedulerId(missing.id))).toBeDefined()
    expect(await queue.getJobScheduler('someone-else')).toBeDefined()
    expect(await queue.getJobScheduler('promise:00000000-0000-4000-8000-00000000dead')).toBeUndefined()

    const countAfterFirst = await queue.getJobSchedulersCount()
    const delayedAfterFirst = (await queue.getDelayed()).length
    const second = await scheduler.reconcile()
    expect(second).toEqual({ upserted: 0, removed: 0, unchanged: first.upserted + first.unchanged })
    expect(await queue.getJobSchedulersCount()).toBe(countAfterFirst)
    expect((await queue.getDelayed()).length).toBe(delayedAfterFirst)

    const active = await pg.db.select().from(promises).where(eq(promises.paused, false))
    const withSchedule = active.filter((r) => repeatFor(r) !== null)
    expect(countAfterFirst).toBe(withSchedule.length + 1) // + someone-else
  })

  it('reconciles 1,000 promises (time reported, not asserted)', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      title: `Promise ${i}`,
      journey: JOURNEY,
      scheduleEverySeconds: 30 + (i % 10) * 30,
    }))
    await pg.db.insert(promises).values(rows)
    const started = performance.now()
    const report = await scheduler.reconcile()
    const ms = Math.round(performance.now() - started)
    console.log(`reconcile of 1,000 new promises: ${ms} ms`, report)
    expect(report.upserted).toBe(1000)
    const again = performance.now()
    expect((await scheduler.reconcile()).upserted).toBe(0)
    console.log(`reconcile with nothing to change: ${Math.round(performance.now() - again)} ms`)
    expect(await queue.getJobSchedulersCount()).toBeGreaterThanOrEqual(1000)
  })
})
