import { randomUUID } from 'node:crypto'
import type { Queue } from 'bullmq'
import type { RedisClient } from '../infra/redis.ts'
import { DISCOVERY_LIMITS, type DiscoverRequest, type Discovery } from '../domain/claims/discovery.ts'

// Claim discovery crawls a site in a browser, and browsers live in the
// journey workers: the API puts a job on the "discoveries" queue, a worker
// crawls and publishes the answer under the job's id, and the waiting
// request reads it back, as "Try it now" does with a journey. A queue of
// its own, not "journeys": a crawl is no run (no JourneySpec, no RunResult
// for the recorder), a worker of an older version ignores it instead of
// walking it as a journey, and a crawl of a minute never holds a slot of
// the scheduled walks.

export interface DiscoveryJob {
  request: DiscoverRequest
  /** Epoch ms after which nobody waits for the answer: a worker that picks the job up later drops it. */
  deadline: number
  totalMs: number
  pageMs: number
}

export type DiscoveryAnswer = { ok: true; discovery: Discovery } | { ok: false; error: string }

export type DiscoveryQueue = Queue<DiscoveryJob>

export const DISCOVERY_JOB = 'discover'
/** How long a worker has to take a discovery job up before the request gives up. */
export const DISCOVERY_PICKUP_MS = 15_000
const ANSWER_SECONDS = 600

/** Beside the queue's own keys (<prefix>:discoveries:<jobId> is the job itself). */
export const discoveryAnswerKey = (prefix: string, id: string) => `${prefix}:discovered:${id}`

/** No worker answered in time, or the crawl failed on our side: the request cannot be answered (503). */
export class DiscoveryUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DiscoveryUnavailableError'
  }
}

export async function publishDiscovery(redis: RedisClient, prefix: string, id: string, answer: DiscoveryAnswer): Promise<void> {
  await redis.set(discoveryAnswerKey(prefix, id), JSON.stringify(answer), 'EX', ANSWER_SECONDS)
}

/**
 * Asks a worker to discover the claims of a site and waits for its answer:
 * at most the pickup time plus the crawl's own limit, never longer.
 */
export async function askForDiscovery(
  queues: { discoveries: DiscoveryQueue; redis: RedisClient; prefix: string },
  request: DiscoverRequest,
  options: { totalMs?: number; pageMs?: number; pickupMs?: number; pollMs?: number } = {},
): Promise<Discovery> {
  const id = randomUUID()
  const totalMs = options.totalMs ?? DISCOVERY_LIMITS.totalMs
  const waitMs = (options.pickupMs ?? DISCOVERY_PICKUP_MS) + totalMs
  const deadline = Date.now() + waitMs
  const job: DiscoveryJob = { request, deadline, totalMs, pageMs: options.pageMs ?? DISCOVERY_LIMITS.pageMs }
  await queues.discoveries.add(DISCOVERY_JOB, job, { jobId: id, attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } })
  const key = discoveryAnswerKey(queues.prefix, id)
  // The worker publishes before the deadline; a little more for the answer to travel.
  while (Date.now() < deadline + 2000) {
    const json = await queues.redis.get(key)
    if (json !== null) {
      await queues.redis.del(key)
      const answer = JSON.parse(json) as DiscoveryAnswer
      if (!answer.ok) throw new DiscoveryUnavailableError(answer.error)
      return answer.discovery
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250))
  }
  await queues.discoveries.remove(id).catch(() => {})
  throw new DiscoveryUnavailableError(
    `no journey worker answered within ${Math.round(waitMs / 1000)} s: is one running (kept start or kept worker)?`,
  )
}
