import { randomUUID } from 'node:crypto'
import { Queue } from 'bullmq'
import { eq } from 'drizzle-orm'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { breaks, promises, runRollups, runs } from '../../src/db/schema.ts'
import type { Outcome, RunResult } from '../../src/domain/run.ts'
import type { RedisClient } from '../../src/infra/redis.ts'
import { QUEUES, type JourneyJob } from '../../src/queue/jobs.ts'
import { deadResultsKey, publishResult, RECORDERS, resultsBacklog, resultsKey } from '../../src/queue/results-stream.ts'
import { recordResult } from '../../src/recorder/record.ts'
import { startRecorder, type AlertEvent, type Recorder } from '../../src/recorder/recorder.ts'
import { ADMIN_DATABASE_URL, freshDatabase, uniquePrefix } from '../support/db.ts'
import { dropPrefix, itOnSingleRedis, testRedis } from '../support/redis.ts'
import { until } from '../support/wait.ts'

let clock = Date.parse('2030-01-07T10:00:00Z')

function result(promiseId: string, outcome: Outcome, extra: Partial<RunResult> = {}): RunResult {
  clock += 30_000
  return {
    runId: randomUUID(),
    promiseId,
    trigger: 'schedule',
    outcome,
    clicks: 3,
    durationMs: 1000 + (clock % 7) * 100,
    startedAt: new Date(clock).toISOString(),
    finishedAt: new Date(clock + 1000).toISOString(),
    steps: [],
    failure: outcome === 'broken' ? { kind: 'step', line: 5, message: 'expected "Order confirmed"' } : null,
    vitals: {},
    screenshotPath: null,
    tracePath: null,
    workerId: 'test',
    ...extra,
  }
}

describe('recorder', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let redis: RedisClient
  let prefix: string
  let journeys: Queue<JourneyJob>
  let alerts: Queue<AlertEvent>
  let recorder: Recorder

  beforeAll(async () => {
    pg = await freshDatabase()
    redis = testRedis({ worker: true })
    prefix = uniquePrefix('recorder')
    journeys = new Queue(QUEUES.journeys, { connection: redis, prefix })
    alerts = new Queue(QUEUES.alerts, { connection: redis, prefix })
    recorder = startRecorder({ connection: redis, prefix, db: pg.db, maxBackoffMs: 300, claimIdleMs: 400 })
  })
  afterAll(async () => {
    await recorder?.close()
    for (const queue of [journeys, alerts]) {
      await queue?.obliterate({ force: true })
      await queue?.close()
    }
    await dropPrefix(prefix)
    redis?.disconnect()
    await pg?.drop()
  })

  const insertPromise = async (values: Partial<typeof promises.$inferInsert> = {}) => {
    const [row] = await pg.db
      .insert(promises)
      .values({ title: 'Order online in 3 clicks', journey: 'go to http://127.0.0.1:4100/', ...values })
      .returning()
    return row!
  }
  const promiseRow = async (id: string) => (await pg.db.select().from(promises).where(eq(promises.id, id)))[0]!
  const runCount = async (promiseId: string) => (await pg.db.select().from(runs).where(eq(runs.promiseId, promiseId))).length
  const publish = (r: RunResult) => publishResult(redis, prefix, r)
  const recorded = (runId: string) =>
    until(async () => (await pg.db.select().from(runs).where(eq(runs.id, runId)))[0], `run ${runId}`)
  // Written entries are acknowledged and deleted: an empty stream means all are done.
  const allDone = () =>
    until(async () => {
      const backlog = await resultsBacklog(redis, prefix)
      return backlog.waiting + backlog.active === 0
    }, 'every result to be done')
  const deadLetters = async () =>
    (await redis.xrange(deadResultsKey(prefix), '-', '+')).map(([, fields]) => ({ result: fields[1]!, error: fields[3]! }))

  it('records a kept run once, with its state and hourly rollup', async () => {
    const p = await insertPromise()
    const kept = result(p.id, 'kept', { clicks: 3, durationMs: 1200 })
    await publish(kept)
    await recorded(kept.runId)
    await allDone()
    // The same run id again (a worker that published twice) changes nothing.
    await publish(kept)
    await allDone()
    expect(await runCount(p.id)).toBe(1)
    const row = await promiseRow(p.id)
    expect(row).toMatchObject({ state: 'kept', consecutiveKept: 1, consecutiveBroken: 0, lastRunId: kept.runId })
    const [rollup] = await pg.db.select().from(runRollups).where(eq(runRollups.promiseId, p.id))
    expect(rollup).toMatchObject({ runs: 1, kept: 1, broken: 0, errors: 0, p50Ms: 1200, p95Ms: 1200, maxClicks: 3 })
    expect(rollup?.hour.toISOString()).toBe(new Date(Math.floor(Date.parse(kept.startedAt) / 3600_000) * 3600_000).toISOString())
  })

  it('records every failure of a run in order, and the one failure of a result from an older worker as its list', async () => {
    const p = await insertPromise()
    const step = { kind: 'step' as const, line: 4, message: 'the page threw: game.cesetRart is not a function' }
    const budget = { kind: 'budget' as const, budget: 'maxClicks' as const, limit: 2, actual: 3, line: 3, message: 'took 3 clicks, the promise allows 2' }
    const both = result(p.id, 'broken', { failure: step, failures: [step, budget] })
    const older = result(p.id, 'broken', { failure: step })
    for (const r of [both, older]) await publish(r)
    expect((await recorded(both.runId)).failures).toEqual([step, budget])
    expect((await recorded(older.runId)).failures).toEqual([step])
    await allDone()
  })

  it('asks for a confirmation run, opens one break when it confirms, resolves it when fixed', async () => {
    const p = await insertPromise({ budgets: { maxClicks: 3 } })
    await recordResult(pg.db, result(p.id, 'kept'))

    const broken = result(p.id, 'broken')
    await publish(broken)
    const confirm = await until(() => journeys.getJob(`confirm-${broken.runId}`), 'the confirmation job')
    expect(confirm.data).toMatchObject({
      trigger: 'confirm',
      confirmOf: broken.runId,
      spec: { promiseId: p.id, budgets: { maxClicks: 3 } },
    })
    expect(confirm.data.runId).toBeUndefined() // derived from the job id by the worker
    expect(await promiseRow(p.id)).toMatchObject({ state: 'broken', consecutiveBroken: 1, openBreakId: null })

    const confirmed = result(p.id, 'broken', { trigger: 'confirm', confirmOf: broken.runId })
    await publish(confirmed)
    const opened = await until(async () => (await promiseRow(p.id)).openBreakId, 'the break to open')
    const [brk] = await pg.db.select().from(breaks).where(eq(breaks.id, opened))
    expect(brk).toMatchObject({
      promiseId: p.id,
      firstRunId: broken.runId,
      openedByRunId: confirmed.runId,
      resolvedAt: null,
      failure: { kind: 'step', line: 5 },
    })
    expect(brk?.openedAt.toISOString()).toBe(broken.startedAt)
    const openAlert = await until(() => alerts.getJob(`break:${opened}:open`), 'the open alert')
    expect(openAlert.data).toEqual({
      type: 'break.opened',
      breakId: opened,
      promiseId: p.id,
      region: 'local',
      runId: confirmed.runId,
      at: broken.startedAt,
    })
    // A confirmation run asks for no further confirmation.
    expect(await journeys.getJob(`confirm-${confirmed.runId}`)).toBeUndefined()

    // More broken runs while open: no second break, no confirmation.
    const stillBroken = result(p.id, 'broken')
    await publish(stillBroken)
    await allDone()
    expect(await journeys.getJob(`confirm-${stillBroken.runId}`)).toBeUndefined()
    expect(await pg.db.select().from(breaks).where(eq(breaks.promiseId, p.id))).toHaveLength(1)

    // An error run in between changes nothing.
    const error = result(p.id, 'error')
    await publish(error)
    await allDone()
    expect(await promiseRow(p.id)).toMatchObject({ state: 'broken', consecutiveBroken: 3, openBreakId: opened })

    const fixed = result(p.id, 'kept')
    await publish(fixed)
    const resolveAlert = await until(() => alerts.getJob(`break:${opened}:resolve`), 'the resolve alert')
    expect(resolveAlert.data).toMatchObject({ type: 'break.resolved', breakId: opened, runId: fixed.runId, at: fixed.startedAt })
    expect(await promiseRow(p.id)).toMatchObject({ state: 'kept', openBreakId: null, consecutiveKept: 1 })
    const [resolved] = await pg.db.select().from(breaks).where(eq(breaks.id, opened))
    expect(resolved?.resolvedByRunId).toBe(fixed.runId)

    // A restarted recorder replaying everything re-opens nothing and counts nothing twice.
    await recorder.close()
    recorder = startRecorder({ connection: redis, prefix, db: pg.db, maxBackoffMs: 300, claimIdleMs: 400 })
    const runsBefore = await runCount(p.id)
    for (const r of [broken, confirmed, stillBroken, error, fixed]) {
      await publish(r)
      await allDone()
    }
    expect(await runCount(p.id)).toBe(runsBefore)
    expect(await pg.db.select().from(breaks).where(eq(breaks.promiseId, p.id))).toHaveLength(1)
    expect(await promiseRow(p.id)).toMatchObject({ state: 'kept', openBreakId: null, consecutiveKept: 1 })
    const alertIds = (await alerts.getJobs(['waiting', 'delayed', 'completed'])).map((j) => j.id).filter((id) => id?.includes(opened))
    expect(alertIds.sort()).toEqual([`break:${opened}:open`, `break:${opened}:resolve`])

    const [rollup] = await pg.db.select().from(runRollups).where(eq(runRollups.promiseId, p.id))
    expect(rollup).toMatchObject({ runs: 6, kept: 2, broken: 3, errors: 1 })
  })

  it('opens at once without confirmation when breakAfter is 1, and asks none when confirmBroken is off', async () => {
    const p = await insertPromise({ breakAfter: 1 })
    const broken = result(p.id, 'broken')
    const outcome = await recordResult(pg.db, broken)
    expect(outcome).toMatchObject({ status: 'recorded', needsConfirmation: false, changes: [{ type: 'break.opened' }] })

    const q = await insertPromise({ confirmBroken: false })
    expect(await recordResult(pg.db, result(q.id, 'broken'))).toMatchObject({ needsConfirmation: false, changes: [] })
  })

  it('keeps a late result but does not let it rewind the state', async () => {
    const p = await insertPromise()
    const early = result(p.id, 'broken')
    const late = result(p.id, 'kept')
    await recordResult(pg.db, late)
    expect(await recordResult(pg.db, early)).toMatchObject({ status: 'recorded', counted: false })
    expect(await runCount(p.id)).toBe(2)
    expect(await promiseRow(p.id)).toMatchObject({ state: 'kept', consecutiveBroken: 0, lastRunId: late.runId })
  })

  it('drops the result of a deleted promise', async () => {
    const orphan = result(randomUUID(), 'kept')
    const deadBefore = (await deadLetters()).length
    await publish(orphan)
    await allDone()
    expect(await pg.db.select().from(runs).where(eq(runs.id, orphan.runId))).toHaveLength(0)
    expect(await deadLetters()).toHaveLength(deadBefore) // dropped, not dead: nothing is wrong with it
  })

  it('moves what no retry can write to the dead-letter stream and records the rest of its batch', async () => {
    const p = await insertPromise()
    const good = [result(p.id, 'kept'), result(p.id, 'kept')]
    const bad = result(p.id, 'kept', { startedAt: 'yesterday at noon' })
    // One pipeline: the three arrive together and are read in one batch.
    await redis
      .pipeline()
      .xadd(resultsKey(prefix), '*', 'result', JSON.stringify(good[0]))
      .xadd(resultsKey(prefix), '*', 'result', JSON.stringify(bad))
      .xadd(resultsKey(prefix), '*', 'result', '{"runId": "cut off')
      .xadd(resultsKey(prefix), '*', 'result', JSON.stringify(good[1]))
      .exec()
    await allDone()
    expect(await runCount(p.id)).toBe(2)
    for (const r of good) expect(await recorded(r.runId)).toMatchObject({ id: r.runId, promiseId: p.id, outcome: 'kept' })
    const dead = new Map((await deadLetters()).slice(-2).map((d) => [d.result, d.error]))
    expect(dead.get(JSON.stringify(bad))).toMatch(/invalid input syntax .*yesterday at noon/)
    expect(dead.get('{"runId": "cut off')).toBe('the entry is not JSON')
  })

  it('takes over the results a stopped recorder read and never acknowledged', async () => {
    const p = await insertPromise()
    const left = result(p.id, 'kept')
    // Its own prefix: no recorder runs there yet, so the crashed one surely read the entry.
    const alone = uniquePrefix('recorder-crash')
    const entryId = await publishResult(redis, alone, left)
    await redis.call('XGROUP', 'CREATE', resultsKey(alone), RECORDERS, '0')
    const read = await redis.call('XREADGROUP', 'GROUP', RECORDERS, 'crashed', 'COUNT', 10, 'STREAMS', resultsKey(alone), '>')
    // The crashed recorder holds the entry, unacknowledged.
    expect(read).toEqual([resultsKey(alone), [[entryId, ['result', JSON.stringify(left)]]]])
    const survivor = startRecorder({ connection: redis, prefix: alone, db: pg.db, claimIdleMs: 300 })
    try {
      await recorded(left.runId)
      await until(async () => (await redis.xlen(resultsKey(alone))) === 0, 'the entry to be acknowledged')
      // The crashed one, empty now, is forgotten at a later look; the survivor leaves on close.
      const consumers = async () => ((await redis.call('XINFO', 'CONSUMERS', resultsKey(alone), RECORDERS)) as unknown[][]).map((c) => c[1])
      await until(async () => (await consumers()).length === 1, 'the crashed recorder to be forgotten')
      expect(await consumers()).toEqual([survivor.consumer])
      await survivor.close()
      expect(await consumers()).toEqual([])
    } finally {
      await survivor.close()
      await dropPrefix(alone)
    }
  })

  it('carries on when the stream and its group are gone (Redis restarted empty)', async () => {
    const p = await insertPromise()
    await redis.del(resultsKey(prefix))
    const after = result(p.id, 'kept')
    await publish(after)
    expect(await recorded(after.runId)).toMatchObject({ id: after.runId, promiseId: p.id, outcome: 'kept' })
    await allDone()
  })

  itOnSingleRedis('lets results wait while Postgres is away and records each once when it is back', { timeout: 120_000 }, async () => {
    const p = await insertPromise()
    const name = new URL(pg.url).pathname.slice(1)
    const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} })
    try {
      await admin.unsafe(`alter database ${name} allow_connections false`)
      await admin.unsafe(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`)
      const waiting = [result(p.id, 'kept'), result(p.id, 'kept'), result(p.id, 'broken')]
      const [first] = [await publish(waiting[0]!), await publish(waiting[1]!), await publish(waiting[2]!)]
      // The first was read while the database was away: its write failed or waits for Postgres.
      const deliveries = async () => {
        const [entry] = (await redis.call('XPENDING', resultsKey(prefix), RECORDERS, first, first, 1)) as [string, string, number, number][]
        return entry?.[3] ?? 0
      }
      await until(async () => (await deliveries()) >= 1, 'a read', 30_000)
      await new Promise((resolve) => setTimeout(resolve, 1000)) // and tried again, in vain, for a while
      await admin.unsafe(`alter database ${name} allow_connections true`)
      // The recorder's pool may first wait out postgres.js's reconnect backoff and connect timeout
      // (30 s) of an attempt begun during the outage; the test looks through a connection of its
      // own, which has none to wait out.
      const probe = postgres(pg.url, { max: 1, onnotice: () => {} })
      try {
        for (const r of waiting) await until(async () => (await probe`select 1 from runs where id = ${r.runId}`).length > 0, `run ${r.runId}`, 75_000)
      } finally {
        await probe.end()
      }
      await until(async () => (await promiseRow(p.id)).lastRunId === waiting[2]!.runId, 'the last result')
      expect(await runCount(p.id)).toBe(3)
      expect(await promiseRow(p.id)).toMatchObject({ state: 'broken', consecutiveBroken: 1 })
    } finally {
      await admin.unsafe(`alter database ${name} allow_connections true`)
      await admin.end()
    }
  })
})
