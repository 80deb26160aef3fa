import os from 'node:os'
import type { JobsOptions, WorkerOptions } from 'bullmq'

// Job and worker settings shared by producers and consumers of each queue.

const HOUR = 3600

/** Journeys: one attempt (a failed walk is a result, not a retry); bounded history. */
export const JOURNEY_JOB_OPTIONS = {
  attempts: 1,
  removeOnComplete: { count: 1000, age: HOUR },
  removeOnFail: { count: 1000, age: 24 * HOUR },
} satisfies JobsOptions

/**
 * Delay before retry n (1-based) of results the recorder could not write:
 * 0.5 s doubling, at most `maxMs`, so a Postgres outage of days only delays them.
 */
export function cappedBackoff(attemptsMade: number, maxMs = 30_000): number {
  return Math.min(maxMs, 500 * 2 ** Math.max(0, Math.min(attemptsMade - 1, 16)))
}

/** Alert events: the alerts consumer dedupes deliveries itself; these only bound retries and history. */
export const ALERT_JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { count: 5000, age: 7 * 24 * HOUR },
  removeOnFail: { count: 5000, age: 30 * 24 * HOUR },
} satisfies JobsOptions

/**
 * A SIGKILLed journey worker's job goes back to waiting within ~15 s: its
 * lock (renewed every 5 s) expires after 10 s, and another worker's stalled
 * check runs every 5 s. Twice stalled (a journey that kills its worker) fails.
 */
export const JOURNEY_WORKER_SETTINGS = {
  lockDuration: 10_000,
  lockRenewTime: 5_000,
  stalledInterval: 5_000,
  maxStalledCount: 2,
} satisfies Partial<WorkerOptions>

const MB = 1024 * 1024

/**
 * Journeys at once for this machine: one per core, as long as each has
 * ~150 MB of free memory after a 300 MB reserve; at least 1.
 */
export function defaultConcurrency(
  machine: { cores: number; freeMemBytes: number } = {
    cores: os.availableParallelism(),
    freeMemBytes: os.freemem(),
  },
): number {
  const byMemory = Math.floor((machine.freeMemBytes - 300 * MB) / (150 * MB))
  return Math.max(1, Math.min(machine.cores, byMemory))
}
