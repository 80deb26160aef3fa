import { Queue } from 'bullmq'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { healthCheck } from '../../src/app/health.ts'
import { promises } from '../../src/db/schema.ts'
import type { RedisClient } from '../../src/infra/redis.ts'
import { QUEUES, type JourneyJob } from '../../src/queue/jobs.ts'
import { ScheduleKeeper, type ScheduledPart } from '../../src/queue/schedule-keeper.ts'
import { Scheduler, schedulerId } from '../../src/queue/scheduler.ts'
import { freshDatabase, uniquePrefix } from '../support/db.ts'
import { dropPrefix, testRedis } from '../support/redis.ts'

// A Redis that lost its data, as the keeper sees it: every key under the
// prefix gone (a restart without persistence, a FLUSHALL). The faults
// suite does it to a real redis-server; here the prefix stands for it.

describe('schedule keeper', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let redis: RedisClient
  let queue: Queue<JourneyJob>
  let other: Queue
  let scheduler: Scheduler
  let keeper: ScheduleKeeper
  const prefix = uniquePrefix('keeper')
  const part: ScheduledPart & { calls: number } = {
    calls: 0,
    async schedule() {
      this.calls++
      await other.upsertJobScheduler('kept:part', { every: 60_000 }, { name: 'part' })
    },
    async close() {},
  }

  beforeAll(async () => {
    pg = await freshDatabase()
    redis = testRedis()
    queue = new Queue<JourneyJob>(QUEUES.journeys, { connection: redis, prefix })
    other = new Queue('maintenance', { connection: redis, prefix })
    scheduler = new Scheduler({ db: pg.db, queue })
    keeper = new ScheduleKeeper({ scheduler, redis, prefix, parts: [part], everyMs: 1000 })
    await pg.db.insert(promises).values([
      { title: 'Order in 3 clicks', journey: 'go to http://127.0.0.1:4100/', scheduleEverySeconds: 60 },
      { title: 'Checkout in a minute', journey: 'go to http://127.0.0.1:4100/', scheduleCron: '*/5 * * * *' },
      { title: 'Paused', journey: 'go to http://127.0.0.1:4100/', scheduleEverySeconds: 60, paused: true },
      { title: 'On demand', journey: 'go to http://127.0.0.1:4100/' },
    ])
    await scheduler.reconcile()
    await part.schedule()
  })
  afterAll(async () => {
    await keeper?.stop()
    await dropPrefix(prefix)
    await Promise.all([queue?.close(), other?.close()])
    redis?.disconnect()
    await pg?.drop()
  })

  it('counts what Postgres expects and Redis holds, and writes its marker', async () => {
    const check = await keeper.check()
    expect(check).toMatchObject({ expected: 2, present: 2, wiped: false, reconciled: null })
    expect(await redis.get(keeper.markerKey)).not.toBeNull()
  })

  it('after Redis lost its data: sees the marker gone, restores every scheduler, its own parts too', async () => {
    const health = healthCheck({ db: pg.db, driver: 'postgres', redis, env: {}, schedules: () => scheduler.counts() })
    await dropPrefix(prefix)
    expect(await scheduler.counts()).toEqual({ expected: 2, present: 0 })
    const degraded = await health()
    expect(degraded.ok).toBe(false)
    expect(degraded.schedules).toEqual({ ok: false, expected: 2, present: 0 })

    const callsBefore = part.calls
    const check = await keeper.check()
    expect(check).toMatchObject({ wiped: true, expected: 2, present: 2, reconciled: { upserted: 2, removed: 0 } })
    expect(part.calls).toBe(callsBefore + 1)
    expect(await other.getJobScheduler('kept:part')).toBeTruthy()
    expect((await health()).schedules).toEqual({ ok: true, expected: 2, present: 2 })
  })

  it('puts back a single scheduler lost behind its back, without a wipe', async () => {
    const [row] = await pg.db.select({ id: promises.id }).from(promises).where(eq(promises.title, 'Order in 3 clicks'))
    await queue.removeJobScheduler(schedulerId(row!.id))
    const callsBefore = part.calls
    const check = await keeper.check()
    expect(check).toMatchObject({ wiped: false, present: 2, reconciled: { upserted: 1 } })
    expect(part.calls).toBe(callsBefore)
  })

  it('heals on its own timer within one check interval', async () => {
    keeper.start()
    await dropPrefix(prefix)
    const started = Date.now()
    let counts = await scheduler.counts()
    while (counts.present !== 2 && Date.now() - started < 5000) {
      await new Promise((r) => setTimeout(r, 100))
      counts = await scheduler.counts()
    }
    expect(counts).toEqual({ expected: 2, present: 2 })
    expect(Date.now() - started).toBeLessThan(2500)
    await keeper.stop()
  })
})
