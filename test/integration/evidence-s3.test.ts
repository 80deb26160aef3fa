import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Queue } from 'bullmq'
import { eq } from 'drizzle-orm'
import S3rver from 's3rver'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { promises, runs } from '../../src/db/schema.ts'
import { evidenceKeeper } from '../../src/evidence/keeper.ts'
import { DEFAULT_EVIDENCE_LIMITS, type EvidenceLimits } from '../../src/evidence/limits.ts'
import { s3EvidenceStore } from '../../src/evidence/s3-store.ts'
import { readEvidence } from '../../src/evidence/store.ts'
import type { Logger } from '../../src/infra/logger.ts'
import type { RedisClient } from '../../src/infra/redis.ts'
import { QUEUES, type JourneyJob } from '../../src/queue/jobs.ts'
import { startJourneyWorker, type JourneyWorker } from '../../src/queue/journey-worker.ts'
import { Scheduler } from '../../src/queue/scheduler.ts'
import { pruneRuns } from '../../src/recorder/retention.ts'
import { startRecorder, type Recorder } from '../../src/recorder/recorder.ts'
import { resolveChromium } from '../../src/runner/browser-path.ts'
import { BrowserPool } from '../../src/runner/browser-pool.ts'
import { uniquePrefix } from '../support/db.ts'
import { dropPrefix, itOnSingleRedis, testRedis } from '../support/redis.ts'
import { until } from '../support/wait.ts'
import { apiHarness, type Harness } from './api-fixtures.ts'

// Evidence without a shared disk, against a real S3-compatible server
// (s3rver) on 127.0.0.1: a journey worker that has Redis and a browser
// only (its own data dir stays empty) walks a local page; its screenshot
// and trace land in the bucket, the API serves them, retention deletes
// them. Then the store goes away for a while, and for good, and files
// come over their limits: the run is always recorded.

const BUCKET = 'kept-evidence'
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47])
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04])

describe('evidence in an S3-compatible store', () => {
  let s3: S3rver | null = null
  let s3Port = 0
  let s3Dir: string
  let workerDir: string
  let site: Server
  let siteUrl: string
  let h: Harness
  let redis: RedisClient
  let prefix: string
  let pool: BrowserPool
  let journeys: Queue<JourneyJob>
  let scheduler: Scheduler
  let worker: JourneyWorker | null = null
  let recorder: Recorder | null = null
  const warnings: { runId?: string; msg: string }[] = []
  const logger = {
    warn: (fields: { runId?: string }, msg: string) => warnings.push({ runId: fields.runId, msg }),
    error: () => {},
    info: () => {},
    debug: () => {},
  } as unknown as Logger

  const startS3 = async () => {
    s3 = new S3rver({ port: s3Port, address: '127.0.0.1', silent: true, directory: s3Dir, configureBuckets: [{ name: BUCKET, configs: [] }] })
    s3Port = (await s3.run()).port
  }
  const stopS3 = async () => {
    await s3?.close()
    s3 = null
  }
  let store: ReturnType<typeof s3EvidenceStore>

  const useWorker = async (limits?: EvidenceLimits) => {
    await worker?.close()
    worker = startJourneyWorker({
      connection: redis,
      prefix,
      pool,
      concurrency: 1,
      dataDir: workerDir,
      workerId: 'remote-worker',
      decryptSecret: (v) => v,
      ...(limits ? { evidenceLimits: limits } : {}),
    })
  }
  const useRecorder = async (options: { retryMs?: number; limits?: EvidenceLimits } = {}) => {
    await recorder?.close()
    recorder = startRecorder({
      connection: redis,
      prefix,
      db: h.db,
      // Long: were a failing store to back the whole recorder off, the kept run below would wait a minute.
      maxBackoffMs: 60_000,
      // A result whose store fails waits this long, unacknowledged, before it is taken up again (30 s in Kept).
      claimIdleMs: 1000,
      evidence: evidenceKeeper({ redis, prefix, store, retryMs: options.retryMs ?? 60_000, ...(options.limits ? { limits: options.limits } : {}), logger }),
    })
  }

  beforeAll(async () => {
    s3Dir = await mkdtemp(path.join(os.tmpdir(), 'kept-s3rver-'))
    workerDir = await mkdtemp(path.join(os.tmpdir(), 'kept-remote-worker-'))
    await startS3()
    store = s3EvidenceStore({
      bucket: BUCKET,
      prefix: 'kept/evidence',
      endpoint: `http://127.0.0.1:${s3Port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    })
    h = await apiHarness({ evidence: store })
    site = createServer((_req, res) => res.end('<!doctype html><title>Shop</title><h1>Our shop</h1><p>Welcome.</p>'))
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve))
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`
    redis = testRedis({ worker: true })
    prefix = uniquePrefix('evidence-s3')
    pool = new BrowserPool({ executablePath: resolveChromium(process.env)?.path })
    journeys = new Queue(QUEUES.journeys, { connection: redis, prefix })
    scheduler = new Scheduler({ db: h.db, queue: journeys, redis, prefix })
    await useWorker()
    await useRecorder()
  })
  afterAll(async () => {
    await worker?.close()
    await recorder?.close()
    await pool?.close()
    await journeys?.obliterate({ force: true }).catch(() => {})
    await journeys?.close()
    if (prefix) await dropPrefix(prefix)
    redis?.disconnect()
    await h?.close()
    site?.close()
    store?.client.destroy()
    await stopS3()
    for (const dir of [s3Dir, workerDir]) if (dir) await rm(dir, { recursive: true, force: true })
  })

  /** A promise the page breaks (it never says "Order confirmed"), walked now by the worker. */
  const walkBrokenPromise = () => walkPromise([`go to ${siteUrl}/`, 'expect "Order confirmed"'])
  const walkPromise = async (journey: string[]): Promise<string> => {
    const [p] = await h.db
      .insert(promises)
      .values({
        title: 'Order online',
        journey: journey.join('\n'),
        budgets: { maxSeconds: 20 },
        scheduleEverySeconds: 3600,
        confirmBroken: false,
      })
      .returning()
    await scheduler.sync(p!.id)
    return scheduler.runNow(p!.id)
  }
  const runById = async (runId: string) => (await h.db.select().from(runs).where(eq(runs.id, runId)))[0]
  const evidenceKeysInRedis = async () => (await redis.keys(`${prefix}:evidence:*`)).length
  const messages = (run: { failures: { message: string }[] | null }) => (run.failures ?? []).map((f) => f.message)

  itOnSingleRedis('a remote worker’s screenshot and trace land in the bucket, the API serves them, retention deletes them', async () => {
    const runId = await walkBrokenPromise()
    const run = await until(() => runById(runId), 'the run', 30_000)
    expect(run).toMatchObject({ outcome: 'broken', workerId: 'remote-worker', screenshotPath: `${runId}/screenshot.png`, tracePath: `${runId}/trace.zip` })
    expect(messages(run).join(' ')).not.toMatch(/evidence|not kept/)

    // In the bucket, under the prefix; nothing on the worker's disk, nothing left in Redis.
    const png = await readEvidence(store, `${runId}/screenshot.png`)
    expect(png!.subarray(0, 4).equals(PNG)).toBe(true)
    const listed = await readdir(path.join(s3Dir, BUCKET), { recursive: true })
    expect(listed.some((entry) => entry.includes(`kept/evidence/${runId}/trace.zip`))).toBe(true)
    expect(await readdir(workerDir)).toEqual([])
    expect(await evidenceKeysInRedis()).toBe(0)

    // The API streams both from the store, with their types, to a signed-in caller only.
    const screenshot = await h.call('GET', `/api/v1/runs/${runId}/screenshot`, { as: 'viewer' })
    expect(screenshot.status).toBe(200)
    expect(screenshot.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await screenshot.arrayBuffer()).equals(png!)).toBe(true)
    const trace = await h.call('GET', `/api/v1/runs/${runId}/trace`, { as: 'viewer' })
    expect(trace.status).toBe(200)
    expect(trace.headers.get('content-type')).toBe('application/zip')
    const zip = Buffer.from(await trace.arrayBuffer())
    expect(zip.subarray(0, 4).equals(ZIP)).toBe(true)
    expect(Number(trace.headers.get('content-length'))).toBe(zip.length)
    expect((await h.call('GET', `/api/v1/runs/${runId}/trace`, { as: null })).status).toBe(401)

    // Retention, 40 days on: the run and its files in the bucket are gone.
    const report = await pruneRuns(h.db, { retentionDays: 30, dataDir: workerDir, evidence: store, now: new Date(Date.now() + 40 * 86_400_000) })
    expect(report.runsDeleted).toBeGreaterThanOrEqual(1)
    expect(await store.get(`${runId}/screenshot.png`)).toBeNull()
    expect(await store.get(`${runId}/trace.zip`)).toBeNull()
    expect((await readdir(path.join(s3Dir, BUCKET), { recursive: true })).some((entry) => entry.includes(runId))).toBe(false)
  })

  itOnSingleRedis('a store down for a while: the result waits and is retried, then recorded with its evidence; other results go on', { timeout: 90_000 }, async () => {
    await stopS3()
    const runId = await walkBrokenPromise()
    // A dozen tries against the dead store, about one a second (a recorder that backed off as it
    // does while Postgres is away would be asleep for 30 s by now, every other result waiting too).
    await until(() => warnings.filter((w) => w.runId === runId && /retried/.test(w.msg)).length >= 12, 'the store to fail a dozen times', 40_000)
    expect(await runById(runId)).toBeUndefined() // waiting, not recorded without its evidence
    expect(await evidenceKeysInRedis()).toBeGreaterThan(0) // and its files wait in Redis
    // Meanwhile a run with no evidence is recorded as usual: the store holds back only its own runs.
    const keptId = await walkPromise([`go to ${siteUrl}/`, 'expect "Our shop"'])
    expect(await until(() => runById(keptId), 'a kept run while the store is down', 8_000)).toMatchObject({ outcome: 'kept' })
    expect(await runById(runId)).toBeUndefined()
    await startS3()
    const run = await until(() => runById(runId), 'the run once the store is back', 30_000)
    expect(run).toMatchObject({ outcome: 'broken', screenshotPath: `${runId}/screenshot.png`, tracePath: `${runId}/trace.zip` })
    expect((await readEvidence(store, `${runId}/trace.zip`))!.subarray(0, 4).equals(ZIP)).toBe(true)
    expect(await evidenceKeysInRedis()).toBe(0)
  })

  itOnSingleRedis('a store down for good: after the retry window the run is recorded, saying its evidence could not be stored', async () => {
    await useRecorder({ retryMs: 1500 })
    await stopS3()
    try {
      const runId = await walkBrokenPromise()
      const run = await until(() => runById(runId), 'the run recorded without its evidence', 30_000)
      expect(run).toMatchObject({ outcome: 'broken', screenshotPath: null, tracePath: null })
      const said = messages(run)
      expect(said[0]).toMatch(/Order confirmed/) // the break's own cause comes first, unchanged
      expect(said).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^the screenshot could not be stored in the evidence store \(s3:\/\/kept-evidence\/kept\/evidence at http:\/\/127\.0\.0\.1:\d+\), tried for 2 s \(KEPT_EVIDENCE_RETRY_SECONDS\): /),
          expect.stringMatching(/^the trace could not be stored in the evidence store/),
        ]),
      )
      expect(await evidenceKeysInRedis()).toBe(0) // nothing left to leak
      const api = await h.call('GET', `/api/v1/runs/${runId}`, { as: 'viewer' })
      expect(await api.json()).toMatchObject({ screenshotUrl: null, traceUrl: null })
    } finally {
      await startS3()
      await useRecorder()
    }
  })

  itOnSingleRedis('a store that does not answer: the API says so (503 naming the store), and serves again once it is back', async () => {
    const [p] = await h.db.insert(promises).values({ title: 'Find a store', journey: `go to ${siteUrl}/` }).returning()
    const runId = randomUUID()
    const startedAt = new Date()
    await h.db.insert(runs).values({ id: runId, promiseId: p!.id, trigger: 'manual', outcome: 'broken', durationMs: 10, startedAt, finishedAt: startedAt, screenshotPath: `${runId}/screenshot.png` })
    await store.put(`${runId}/screenshot.png`, PNG, 'image/png')
    await stopS3()
    try {
      const res = await h.call('GET', `/api/v1/runs/${runId}/screenshot`, { as: 'viewer' })
      expect(res.status).toBe(503)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
      expect((await res.json()).detail).toMatch(/^the evidence store \(s3:\/\/kept-evidence\/kept\/evidence at http:\/\/127\.0\.0\.1:\d+\) did not answer/)
    } finally {
      await startS3()
    }
    const res = await h.call('GET', `/api/v1/runs/${runId}/screenshot`, { as: 'viewer' })
    expect(res.status).toBe(200)
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true)
  })

  itOnSingleRedis('a screenshot over the worker’s limit is not sent: the run says which file and which limit, and keeps its trace', async () => {
    await useWorker({ ...DEFAULT_EVIDENCE_LIMITS, 'screenshot.png': 1024 })
    try {
      const runId = await walkBrokenPromise()
      const run = await until(() => runById(runId), 'the run', 30_000)
      expect(run).toMatchObject({ outcome: 'broken', screenshotPath: null, tracePath: `${runId}/trace.zip` })
      expect(messages(run)).toContainEqual(expect.stringMatching(/^the screenshot \(\d+ KB\) is over the limit of 1 KB \(KEPT_EVIDENCE_MAX_SCREENSHOT_MB\): it was not kept$/))
      expect(await store.get(`${runId}/trace.zip`)).not.toBeNull()
      expect(await store.get(`${runId}/screenshot.png`)).toBeNull()
    } finally {
      await useWorker()
    }
  })

  itOnSingleRedis('a trace over the control plane’s limit is not stored (a worker with other limits): said on the run, dropped from Redis', async () => {
    await useRecorder({ limits: { ...DEFAULT_EVIDENCE_LIMITS, 'trace.zip': 2048 } })
    try {
      const runId = await walkBrokenPromise()
      const run = await until(() => runById(runId), 'the run', 30_000)
      expect(run).toMatchObject({ outcome: 'broken', screenshotPath: `${runId}/screenshot.png`, tracePath: null })
      expect(messages(run)).toContainEqual(expect.stringMatching(/^the trace \([\d.]+ (KB|MB)\) is over the limit of 2 KB \(KEPT_EVIDENCE_MAX_TRACE_MB\): it was not kept$/))
      expect(await store.get(`${runId}/trace.zip`)).toBeNull()
      expect(await evidenceKeysInRedis()).toBe(0)
    } finally {
      await useRecorder()
    }
  })
})
