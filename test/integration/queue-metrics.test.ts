import { Queue, Worker } from 'bullmq'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { breaks, promises } from '../../src/db/schema.ts'
import type { RedisClient } from '../../src/infra/redis.ts'
import { createMetrics, metricsRoute } from '../../src/metrics/metrics.ts'
import { QUEUES } from '../../src/queue/jobs.ts'
import { publishResult, resultsBacklog, resultsKey } from '../../src/queue/results-stream.ts'
import { freshDatabase, uniquePrefix } from '../support/db.ts'
import { testRedis } from '../support/redis.ts'

describe('metrics', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let redis: RedisClient
  let journeys: Queue
  let prefix: string

  beforeAll(async () => {
    pg = await freshDatabase()
    redis = testRedis()
    prefix = uniquePrefix('metrics')
    journeys = new Queue(QUEUES.journeys, { connection: redis, prefix })
  })
  afterAll(async () => {
    await journeys?.obliterate({ force: true })
    await journeys?.close()
    await redis?.del(resultsKey(prefix))
    redis?.disconnect()
    await pg?.drop()
  })

  it('serves queue depths, runs by outcome, durations and open breaks on GET /metrics', async () => {
    const [p] = await pg.db.insert(promises).values({ title: 'Order online in 3 clicks' }).returning()
    await pg.db.insert(breaks).values({ promiseId: p!.id, openedAt: new Date(), openedByRunId: p!.id })
    await journeys.add('journey', {})
    await journeys.add('journey', {})
    await journeys.add('journey', {})
    await journeys.add('journey', {}, { delay: 60_000 })
    // A worker takes one: it is active, no longer waiting.
    const takerConnection = testRedis({ worker: true })
    const taker = new Worker(QUEUES.journeys, null, { connection: takerConnection, prefix })
    expect(await taker.getNextJob('metrics-test')).toBeDefined()

    await publishResult(redis, prefix, { runId: 'r1' } as never)
    const metrics = createMetrics({
      queues: [journeys],
      journeyQueues: [{ region: 'local', queue: journeys }],
      backlogs: [{ name: 'results', counts: () => resultsBacklog(redis, prefix) }],
      db: pg.db,
      defaultMetrics: false,
    })
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
    // What the workers' autoscaler reads: due and waiting (not the delayed one), and being walked.
    expect(text).toContain('kept_queue_waiting_jobs{queue="journeys",region="local"} 2')
    expect(text).toContain('kept_queue_active_jobs{queue="journeys",region="local"} 1')
    await taker.close()
    takerConnection.disconnect()
    expect(text).toContain('kept_queue_jobs{queue="results",state="waiting"} 1')
    expect(text).toContain('kept_queue_jobs{queue="results",state="active"} 0')
    expect(text).toContain('kept_runs_total{outcome="kept"} 2')
    expect(text).toContain('kept_runs_total{outcome="broken"} 1')
    expect(text).toContain('kept_run_duration_seconds_count{outcome="kept"} 2')
    expect(text).toContain('kept_run_duration_seconds_bucket{le="1",outcome="kept"} 1')
    expect(text).toContain('kept_open_breaks 1')
  })
})
