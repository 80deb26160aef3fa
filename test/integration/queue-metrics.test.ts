import { Queue } from 'bullmq'
import { Hono } from 'hono'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { breaks, promises } from '../../src/db/schema.ts'
import { createRedisConnection } from '../../src/infra/redis.ts'
import { createMetrics, metricsRoute } from '../../src/metrics/metrics.ts'
import { QUEUES } from '../../src/queue/jobs.ts'
import { freshDatabase, uniquePrefix } from '../support/db.ts'

describe('metrics', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let redis: Redis
  let journeys: Queue
  let results: Queue

  beforeAll(async () => {
    pg = await freshDatabase()
    redis = createRedisConnection('redis://127.0.0.1:6379')
    const prefix = uniquePrefix('metrics')
    journeys = new Queue(QUEUES.journeys, { connection: redis, prefix })
    results = new Queue(QUEUES.results, { connection: redis, prefix })
  })
  afterAll(async () => {
    for (const queue of [journeys, results]) {
      await queue?.obliterate({ force: true })
      await queue?.close()
    }
    redis?.disconnect()
    await pg?.drop()
  })

  it('serves queue depths, runs by outcome, durations and open breaks on GET /metrics', async () => {
    const [p] = await pg.db.insert(promises).values({ title: 'Order online in 3 clicks' }).returning()
    await pg.db.insert(breaks).values({ promiseId: p!.id, openedAt: new Date(), openedByRunId: p!.id })
    await journeys.add('journey', {})
    await journeys.add('journey', {})
    await journeys.add('journey', {}, { delay: 60_000 })

    const metrics = createMetrics({ queues: [journeys, results], db: pg.db, defaultMetrics: false })
    metrics.observeRun({ outcome: 'kept', durationMs: 1500 } as never)
    metrics.observeRun({ outcome: 'broken', durationMs: 4000 } as never)
    metrics.observeRun({ outcome: 'kept', durationMs: 800 } as never)

    const app = new Hono().get('/metrics', metricsRoute(metrics.registry))
    const response = await app.request('/metrics')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await response.text()
    expect(text).toContain('kept_queue_jobs{queue="journeys",state="waiting"} 2')
    expect(text).toContain('kept_queue_jobs{queue="journeys",state="delayed"} 1')
    expect(text).toContain('kept_queue_jobs{queue="results",state="waiting"} 0')
    expect(text).toContain('kept_runs_total{outcome="kept"} 2')
    expect(text).toContain('kept_runs_total{outcome="broken"} 1')
    expect(text).toContain('kept_run_duration_seconds_count{outcome="kept"} 2')
    expect(text).toContain('kept_run_duration_seconds_bucket{le="1",outcome="kept"} 1')
    expect(text).toContain('kept_open_breaks 1')
  })
})
