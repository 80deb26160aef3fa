import { randomUUID } from 'node:crypto'
import type { Queue } from 'bullmq'
import type { RunResult } from '../domain/run.ts'
import { enqueueRun, type JourneyQueue } from './enqueue.ts'
import type { JourneySpec, ResultJob } from './jobs.ts'

export class TryTimeoutError extends Error {
  constructor(readonly runId: string, seconds: number) {
    super(`no worker walked the journey within ${seconds} s: is a journey worker running (kept start or kept worker)?`)
    this.name = 'TryTimeoutError'
  }
}

/**
 * "Try it now": walk a journey once through the same queue and workers as
 * scheduled runs, without recording it. The recorder skips results whose
 * trigger is `test`, so the result job stays in Redis for us to read.
 */
export async function tryJourney(
  queues: { journeys: JourneyQueue; results: Queue<ResultJob> },
  spec: JourneySpec,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<RunResult> {
  const runId = randomUUID()
  await enqueueRun(queues.journeys, spec, { jobId: runId, runId, trigger: 'test' })
  const timeoutMs = options.timeoutMs ?? 120_000
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const job = await queues.results.getJob(runId)
    if (job) return job.data
    if (Date.now() > deadline) {
      await queues.journeys.remove(runId).catch(() => {})
      throw new TryTimeoutError(runId, Math.round(timeoutMs / 1000))
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200))
  }
}
