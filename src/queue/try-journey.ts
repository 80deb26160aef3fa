import { randomUUID } from 'node:crypto'
import type { RedisClient } from '../infra/redis.ts'
import type { RunResult } from '../domain/run.ts'
import { enqueueRun, type JourneyQueue } from './enqueue.ts'
import type { JourneySpec } from './jobs.ts'
import { readTryResult } from './results-stream.ts'

export class TryTimeoutError extends Error {
  constructor(readonly runId: string, seconds: number) {
    super(`no worker walked the journey within ${seconds} s: is a journey worker running (kept start or kept worker)?`)
    this.name = 'TryTimeoutError'
  }
}

/**
 * "Try it now": walk a journey once through the same queue and workers as
 * scheduled runs, without recording it: the worker publishes a `test`
 * result under its run id instead of on the results stream, for us to read.
 */
export async function tryJourney(
  queues: { journeys: JourneyQueue; redis: RedisClient; prefix: string },
  spec: JourneySpec,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<RunResult> {
  const runId = randomUUID()
  await enqueueRun(queues.journeys, spec, { jobId: runId, runId, trigger: 'test' })
  const timeoutMs = options.timeoutMs ?? 120_000
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const result = await readTryResult(queues.redis, queues.prefix, runId)
    if (result) return result
    if (Date.now() > deadline) {
      await queues.journeys.remove(runId).catch(() => {})
      throw new TryTimeoutError(runId, Math.round(timeoutMs / 1000))
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200))
  }
}
