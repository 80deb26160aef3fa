import type { Queue } from 'bullmq'
import { count, isNull } from 'drizzle-orm'
import type { Context } from 'hono'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Db } from '../db/client.ts'
import { breaks } from '../db/schema.ts'
import type { RunResult } from '../domain/run.ts'

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const

export interface Backlog {
  name: string
  counts(): Promise<{ waiting: number; active: number }>
}

/** A queue of journeys and the region its workers walk from. */
export interface RegionQueue {
  region: string
  queue: Queue
}

export interface Metrics {
  registry: Registry
  /** Count a recorded run (wire to the recorder's onRecorded). */
  observeRun(result: RunResult): void
}

/**
 * Prometheus metrics of Kept. Queue depths and open breaks are read when
 * scraped, so they are never stale; runs are counted as they are recorded.
 */
export function createMetrics(options: {
  queues: Queue[]
  /** Work that waits elsewhere than a BullMQ queue (the results stream), counted the same way. */
  backlogs?: Backlog[]
  /** The journeys queues whose waiting jobs a HorizontalPodAutoscaler of workers scales on, by region. */
  journeyQueues?: RegionQueue[] | (() => RegionQueue[])
  db?: Db
  defaultMetrics?: boolean
}): Metrics {
  const registry = new Registry()
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'kept_' })

  new Gauge({
    name: 'kept_queue_jobs',
    help: 'Jobs in each queue by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset()
      await Promise.all(
        options.queues.map(async (queue) => {
          const counts = await queue.getJobCounts(...QUEUE_STATES)
          for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0)
        }),
      )
      await Promise.all(
        (options.backlogs ?? []).map(async (backlog) => {
          const counts = await backlog.counts()
          for (const state of ['waiting', 'active'] as const) this.set({ queue: backlog.name, state }, counts[state])
        }),
      )
    },
  })

  // What the workers' autoscaler reads (docs/deploy.md): the walks a region's
  // workers owe, waiting and in progress, against what they walk at once. Waiting
  // alone would fall to 0 while every worker is busy and scale them down.
  const regionGauge = (name: string, help: string, count: (queue: Queue) => Promise<number>) =>
    new Gauge({
      name,
      help,
      labelNames: ['queue', 'region'],
      registers: [registry],
      async collect() {
        this.reset()
        const queues = typeof options.journeyQueues === 'function' ? options.journeyQueues() : (options.journeyQueues ?? [])
        await Promise.all(queues.map(async ({ region, queue }) => this.set({ queue: queue.name, region }, await count(queue))))
      },
    })
  regionGauge('kept_queue_waiting_jobs', 'Journeys waiting for a free worker, by queue and region', (queue) => queue.getJobCountByTypes('waiting', 'prioritized'))
  regionGauge('kept_queue_active_jobs', 'Journeys being walked, by queue and region', (queue) => queue.getActiveCount())

  const runs = new Counter({
    name: 'kept_runs_total',
    help: 'Recorded runs by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'kept_run_duration_seconds',
    help: 'Journey duration of recorded runs',
    labelNames: ['outcome'],
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120],
    registers: [registry],
  })

  const db = options.db
  if (db) {
    new Gauge({
      name: 'kept_open_breaks',
      help: 'Breaks open right now',
      registers: [registry],
      async collect() {
        const [row] = await db.select({ n: count() }).from(breaks).where(isNull(breaks.resolvedAt))
        this.set(row?.n ?? 0)
      },
    })
  }

  return {
    registry,
    observeRun(result) {
      runs.inc({ outcome: result.outcome })
      duration.observe({ outcome: result.outcome }, result.durationMs / 1000)
    },
  }
}

/** GET /metrics in the Prometheus text format. */
export function metricsRoute(registry: Registry) {
  return async (c: Context) => {
    const body = await registry.metrics()
    return c.body(body, 200, { 'Content-Type': registry.contentType })
  }
}
