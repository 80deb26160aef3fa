import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { Queue } from 'bullmq'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoShop, type DemoShop } from '../../src/demo/shop.tsx'
import { breaks, promises, runs } from '../../src/db/schema.ts'
import { decrypt } from '../../src/infra/crypto.ts'
import { QUEUES } from '../../src/queue/jobs.ts'
import { startJourneyWorker } from '../../src/queue/journey-worker.ts'
import { resultsKey } from '../../src/queue/results-stream.ts'
import { buildSpec } from '../../src/queue/spec.ts'
import { tryJourney } from '../../src/queue/try-journey.ts'
import type { AlertEvent } from '../../src/recorder/recorder.ts'
import { resolveChromium } from '../../src/runner/browser-path.ts'
import { BrowserPool } from '../../src/runner/browser-pool.ts'
import { journeyPipeline } from '../support/pipeline.ts'
import { pause, until } from '../support/wait.ts'

// End to end with the real pieces: scheduler → journeys queue → worker
// (Chromium) → results stream → recorder → Postgres. One file, because
// Chromium is heavy on two shared cores.

const REDIS_URL = 'redis://127.0.0.1:6379'
const SECRET = 'kept-test-secret-key-0123456789abcdef'

describe('journeys end to end', () => {
  const pipe = journeyPipeline('journey')
  const chromium = resolveChromium(process.env)
  let shop: DemoShop
  let alerts: Queue<AlertEvent>

  beforeAll(async () => {
    shop = await startDemoShop({ port: 0 })
    alerts = new Queue(QUEUES.alerts, { connection: pipe.redis, prefix: pipe.prefix })
  })
  afterAll(async () => {
    await alerts?.close()
    await shop?.close()
  })

  const orderPromise = async () => {
    const [row] = await pipe.pg.db
      .insert(promises)
      .values({
        title: 'Order online in 3 clicks',
        journey: [
          `go to ${shop.url}/`,
          'click "Shop now"',
          'click "Add to cart"',
          'click "Place order"',
          'expect "Order confirmed"',
        ].join('\n'),
        budgets: { maxClicks: 3, maxSeconds: 60 },
        scheduleEverySeconds: 30,
      })
      .returning()
    return row!
  }
  const runsOf = (promiseId: string) => pipe.pg.db.select().from(runs).where(eq(runs.promiseId, promiseId))
  const runById = async (runId: string) => (await pipe.pg.db.select().from(runs).where(eq(runs.id, runId)))[0]
  const promiseRow = async (id: string) => (await pipe.pg.db.select().from(promises).where(eq(promises.id, id)))[0]!

  it('runNow walks the promise in Chromium and records one kept run', async () => {
    const p = await orderPromise()
    await pipe.scheduler.sync(p.id)
    const runId = await pipe.scheduler.runNow(p.id)
    const run = await until(() => runById(runId), 'the run')
    expect(run).toMatchObject({ promiseId: p.id, trigger: 'manual', outcome: 'kept', clicks: 3, workerId: 'in-test' })
    expect(await runsOf(p.id)).toHaveLength(1)
    expect(await promiseRow(p.id)).toMatchObject({ state: 'kept', lastRunId: runId })
  })

  it('"try it now" walks the journey through a worker and records nothing', async () => {
    const p = await orderPromise()
    const result = await tryJourney({ journeys: pipe.journeys, redis: pipe.redis, prefix: pipe.prefix }, await buildSpec(pipe.pg.db, p), { timeoutMs: 30_000, pollMs: 50 })
    expect(result).toMatchObject({ promiseId: p.id, trigger: 'test', outcome: 'kept', clicks: 3, workerId: 'in-test' })
    expect(result.steps.map((step) => step.outcome)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed'])
    expect(await runById(result.runId)).toBeUndefined()
    expect(await pipe.redis.xlen(resultsKey(pipe.prefix))).toBe(0) // never published for the pipe.recorder
  })

  // Four walks: more than 30 s on two busy cores.
  it('a broken shop opens exactly one break after the confirmation run; fixed, it resolves', { timeout: 60_000 }, async () => {
    const p = await orderPromise()
    shop.setBroken(true)
    const runId = await pipe.scheduler.runNow(p.id)
    const first = await until(() => runById(runId), 'the broken run')
    expect(first.outcome).toBe('broken')
    const confirmation = await until(
      async () => (await pipe.pg.db.select().from(runs).where(eq(runs.confirmOf, runId)))[0],
      'the confirmation run',
    )
    expect(confirmation).toMatchObject({ trigger: 'confirm', outcome: 'broken' })
    // Its evidence came through Redis to the default store, the data dir, as before a worker could be elsewhere.
    expect(confirmation.tracePath).toBe(`${confirmation.id}/trace.zip`)
    expect(existsSync(path.join(pipe.dataDir, 'evidence', confirmation.screenshotPath!))).toBe(true)
    expect(existsSync(path.join(pipe.dataDir, 'evidence', confirmation.tracePath!))).toBe(true)
    const breakId = await until(async () => (await promiseRow(p.id)).openBreakId, 'the break')
    expect(await pipe.pg.db.select().from(breaks).where(eq(breaks.promiseId, p.id))).toHaveLength(1)
    expect((await alerts.getJob(`break:${breakId}:open`))?.data).toMatchObject({ type: 'break.opened', promiseId: p.id })

    shop.setBroken(false)
    const fixedId = await pipe.scheduler.runNow(p.id)
    await until(async () => (await runById(fixedId))?.outcome === 'kept', 'the kept run')
    await until(async () => (await promiseRow(p.id)).openBreakId === null, 'the break to resolve')
    const all = await pipe.pg.db.select().from(breaks).where(eq(breaks.promiseId, p.id))
    expect(all).toHaveLength(1)
    expect(all[0]).toMatchObject({ id: breakId, resolvedByRunId: fixedId })
    expect(await alerts.getJob(`break:${breakId}:resolve`)).toBeDefined()
    expect(await runsOf(p.id)).toHaveLength(3)
  })

  it('a SIGKILLed worker process hands its journey back: picked up again, recorded once', { timeout: 90_000 }, async () => {
    const p = await orderPromise()
    await pipe.stopWorker()
    shop.setDelay(2500)
    const child = spawnWorker()
    try {
      const runId = await pipe.scheduler.runNow(p.id)
      await until(async () => (await (await pipe.journeys.getJob(runId))?.getState()) === 'active', 'the child to take the job', 30_000)
      await new Promise((resolve) => setTimeout(resolve, 1500)) // mid-journey
      process.kill(-child.pid!, 'SIGKILL') // the worker and its Chromium, as a container kill would
      await new Promise((resolve) => child.once('exit', resolve))
      expect(await runById(runId)).toBeUndefined()

      shop.setDelay(0)
      pipe.startWorker()
      const run = await until(() => runById(runId), 'the run after the kill', 30_000)
      expect(run).toMatchObject({ outcome: 'kept', workerId: 'in-test' })
      const job = await pipe.journeys.getJob(runId)
      expect(job?.stalledCounter ?? 0).toBeGreaterThanOrEqual(1)
      expect((await runsOf(p.id)).filter((r) => r.id === runId)).toHaveLength(1)
    } finally {
      shop.setDelay(0)
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL')
    }
  })

  it('a worker stopped mid-walk hands its journey back at once: walked again, recorded once, never as an error', { timeout: 90_000 }, async () => {
    const p = await orderPromise()
    await pipe.stopWorker()
    shop.setDelay(2500)
    // A worker as `kept worker` stops it: close (0.3 s of grace), then its browser.
    const pool = new BrowserPool({ executablePath: chromium?.path })
    const leaving = startJourneyWorker({
      connection: pipe.redis,
      prefix: pipe.prefix,
      pool,
      concurrency: 1,
      dataDir: pipe.dataDir,
      workerId: 'leaving',
      decryptSecret: (encrypted) => decrypt(pipe.key, encrypted),
      closeGraceMs: 300,
    })
    try {
      const runId = await pipe.scheduler.runNow(p.id)
      await until(async () => (await (await pipe.journeys.getJob(runId))?.getState()) === 'active', 'the leaving worker to take the job', 30_000)
      await pause(800) // mid-journey
      await leaving.close()
      await pool.close()
      // Back in the queue at once, not after its lock lapses (10 s).
      expect(await (await pipe.journeys.getJob(runId))?.getState()).toBe('waiting')
      await pause(1000) // the cut walk publishes nothing: no error run is recorded
      expect(await runById(runId)).toBeUndefined()

      shop.setDelay(0)
      pipe.startWorker()
      const run = await until(() => runById(runId), 'the run walked again', 30_000)
      expect(run).toMatchObject({ outcome: 'kept', workerId: 'in-test' })
      expect((await runsOf(p.id)).filter((r) => r.id === runId)).toHaveLength(1)
    } finally {
      shop.setDelay(0)
      await leaving.close()
      await pool.close()
      if (!pipe.worker) pipe.startWorker()
    }
  })

  function spawnWorker(): ChildProcess {
    return spawn(process.execPath, ['--import', 'tsx', path.resolve('workers/journey.ts')], {
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        REDIS_URL,
        KEPT_QUEUE_PREFIX: pipe.prefix,
        KEPT_DATA_DIR: pipe.dataDir,
        KEPT_SECRET_KEY: SECRET,
        KEPT_WORKER_CONCURRENCY: '1',
        ...(chromium ? { KEPT_CHROMIUM_PATH: chromium.path } : {}),
        LOG_LEVEL: 'warn',
      },
    })
  }
})

