import { Worker, type Job } from 'bullmq'
import type { RedisClient } from '../infra/redis.ts'
import type { TargetPolicy } from '../domain/target-policy.ts'
import type { Logger } from '../infra/logger.ts'
import type { BrowserPool } from '../runner/browser-pool.ts'
import { discoverClaims } from '../runner/discover.ts'
import { gracefulClose } from './close-worker.ts'
import { publishDiscovery, type DiscoveryAnswer, type DiscoveryJob } from './discovery.ts'
import { QUEUES } from './jobs.ts'

/** Time kept back from a crawl for its last pages to be read and its answer published before the requester stops waiting. */
const PUBLISH_MARGIN_MS = 5000

export interface DiscoveryWorker {
  worker: Worker<DiscoveryJob>
  close(): Promise<void>
}

/**
 * Crawls the sites of the "discoveries" queue in the journey worker's
 * browser, one at a time per process (a crawl reads a few pages at once
 * already), and publishes each answer for the request that waits for it.
 */
export function startDiscoveryWorker(options: {
  connection: RedisClient
  prefix: string
  pool: BrowserPool
  targetPolicy?: TargetPolicy
  closeGraceMs?: number
  logger?: Logger
}): DiscoveryWorker {
  const { connection, prefix, pool, logger } = options
  const crawl = async (job: Job<DiscoveryJob>): Promise<void> => {
    const { request, deadline, totalMs, pageMs } = job.data
    const left = deadline - Date.now() - PUBLISH_MARGIN_MS
    let answer: DiscoveryAnswer
    if (left < 1000) {
      answer = { ok: false, error: 'the discovery waited too long for a free journey worker: try again in a minute' }
    } else {
      try {
        const discovery = await discoverClaims(pool, request, {
          totalMs: Math.min(totalMs, left),
          pageMs,
          ...(options.targetPolicy ? { targetPolicy: options.targetPolicy } : {}),
        })
        answer = { ok: true, discovery }
      } catch (error) {
        logger?.error({ err: error, url: request.url }, 'claim discovery failed')
        answer = { ok: false, error: `the journey worker could not read the site: ${(error as Error).message}` }
      }
    }
    await publishDiscovery(connection, prefix, job.id!, answer)
  }
  const worker = new Worker<DiscoveryJob>(QUEUES.discoveries, crawl, { connection, prefix, concurrency: 1 })
  worker.on('error', (error) => logger?.error({ err: error }, 'discovery worker error'))
  const close = gracefulClose(worker, options.closeGraceMs ?? 5000, () => logger?.warn('a claim discovery still running at close: its lock lapses and another worker takes it'))
  return { worker, close }
}
