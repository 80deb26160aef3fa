import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Queue } from 'bullmq'
import { eq } from 'drizzle-orm'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { promises, runRollups, runRollupsDaily, runs } from '../../src/db/schema.ts'
import { createRedisConnection } from '../../src/infra/redis.ts'
import { QUEUES } from '../../src/queue/jobs.ts'
import { RETENTION_SCHEDULER_ID, pruneRuns, startRetention } from '../../src/recorder/retention.ts'
import { freshDatabase, uniquePrefix } from '../support/db.ts'

const DAY = 24 * 3600_000
const now = new Date('2030-06-01T12:30:00Z')

describe('retention', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let dataDir: string
  let redis: Redis

  beforeAll(async () => {
    pg = await freshDatabase()
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-retention-'))
    redis = createRedisConnection('redis://127.0.0.1:6379', { worker: true })
  })
  afterAll(async () => {
    redis?.disconnect()
    await pg?.drop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('deletes runs older than the retention and their evidence, keeping their hours in rollups', async () => {
    const [p] = await pg.db.insert(promises).values({ title: 'Find a store in 2 taps' }).returning()
    const at = (msAgo: number) => new Date(now.getTime() - msAgo)
    const run = (startedAt: Date, outcome: 'kept' | 'broken' | 'error', durationMs: number) => ({
      id: randomUUID(),
      promiseId: p!.id,
      trigger: 'schedule' as const,
      outcome,
      clicks: 2,
      durationMs,
      startedAt,
      finishedAt: startedAt,
    })
    const oldHour = new Date(Math.floor(at(40 * DAY).getTime() / 3600_000) * 3600_000)
    const old = [
      run(new Date(oldHour.getTime() + 60_000), 'kept', 1000),
      run(new Date(oldHour.getTime() + 120_000), 'kept', 3000),
      run(new Date(oldHour.getTime() + 180_000), 'broken', 2000),
      run(new Date(oldHour.getTime() + 240_000), 'error', 9000),
      run(at(35 * DAY), 'kept', 1500),
    ]
    const recent = [run(at(2 * DAY), 'kept', 1200), run(at(29 * DAY), 'kept', 1300)]
    await pg.db.insert(runs).values([...old, ...recent])
    for (const r of [...old, ...recent]) {
      await mkdir(path.join(dataDir, 'evidence', r.id), { recursive: true })
      await writeFile(path.join(dataDir, 'evidence', r.id, 'screenshot.png'), 'x')
    }
    await pg.db.insert(runRollups).values([
      { promiseId: p!.id, hour: at(500 * DAY), runs: 1, kept: 1 },
      { promiseId: p!.id, hour: at(300 * DAY), runs: 1, kept: 1 },
    ])

    const report = await pruneRuns(pg.db, { retentionDays: 30, dataDir, now })
    expect(report).toEqual({ runsDeleted: 5, hoursPruned: 2, rollupsDeleted: 1 })

    const left = await pg.db.select({ id: runs.id }).from(runs).where(eq(runs.promiseId, p!.id))
    expect(left.map((r) => r.id).sort()).toEqual(recent.map((r) => r.id).sort())
    for (const r of old) expect(existsSync(path.join(dataDir, 'evidence', r.id))).toBe(false)
    for (const r of recent) expect(existsSync(path.join(dataDir, 'evidence', r.id))).toBe(true)

    const rollups = await pg.db.select().from(runRollups).where(eq(runRollups.promiseId, p!.id)).orderBy(runRollups.hour)
    expect(rollups.map((r) => r.hour.toISOString())).toContain(oldHour.toISOString())
    const hour = rollups.find((r) => r.hour.getTime() === oldHour.getTime())
    expect(hour).toMatchObject({ runs: 4, kept: 2, broken: 1, errors: 1, p50Ms: 2000, maxClicks: 2 })
    expect(hour?.p95Ms).toBeGreaterThan(2800)
    expect(hour?.p95Ms).toBeLessThanOrEqual(3000)
    expect(rollups).toHaveLength(3) // 300 days ago, the old hour, 35 days ago
    // The days follow their hours: the same figures, the 500-day-old one gone too.
    const days = await pg.db.select().from(runRollupsDaily).where(eq(runRollupsDaily.promiseId, p!.id)).orderBy(runRollupsDaily.day)
    expect(days.map((d) => d.day)).toEqual([at(300 * DAY), oldHour, at(35 * DAY)].map((d) => d.toISOString().slice(0, 10)))
    expect(days[1]).toMatchObject({ runs: 4, kept: 2, broken: 1, errors: 1 })

    expect(await pruneRuns(pg.db, { retentionDays: 30, dataDir, now })).toEqual({ runsDeleted: 0, hoursPruned: 0, rollupsDeleted: 0 })
  })

  it('registers the hourly scheduler kept:retention on the maintenance queue, once', async () => {
    const prefix = uniquePrefix('retention')
    const options = { connection: redis, prefix, db: pg.db, retentionDays: 30, dataDir }
    const first = await startRetention(options)
    const second = await startRetention(options)
    const queue = new Queue(QUEUES.maintenance, { connection: redis, prefix })
    try {
      const scheduler = await queue.getJobScheduler(RETENTION_SCHEDULER_ID)
      expect(scheduler?.pattern).toBe('17 * * * *')
      expect(await queue.getJobSchedulersCount()).toBe(1)
    } finally {
      await first.close()
      await second.close()
      await queue.obliterate({ force: true })
      await queue.close()
    }
  })
})
