import type { Queue } from 'bullmq'
import type { RunTrigger } from '../domain/run.ts'
import type { JourneyJob, JourneySpec } from './jobs.ts'
import { JOURNEY_JOB_OPTIONS } from './options.ts'

export type JourneyQueue = Queue<JourneyJob>

/** The job name of every journey run, scheduled or not. */
export const JOURNEY_JOB = 'journey'

/**
 * Enqueue one run outside the schedule (manual or confirmation). The job
 * id makes it idempotent: enqueueing the same id twice runs once.
 */
export async function enqueueRun(
  queue: JourneyQueue,
  spec: JourneySpec,
  run: { jobId: string; trigger: RunTrigger; runId?: string; confirmOf?: string },
): Promise<void> {
  const data: JourneyJob = { spec, trigger: run.trigger }
  if (run.runId) data.runId = run.runId
  if (run.confirmOf) data.confirmOf = run.confirmOf
  await queue.add(JOURNEY_JOB, data, { ...JOURNEY_JOB_OPTIONS, jobId: run.jobId })
}
