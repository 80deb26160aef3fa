import type { JobsOptions } from 'bullmq'
import type { AlertContext } from './context.ts'
import { DELIVER_JOB } from './keys.ts'

/** A delivery job carries only its key; the rows behind it are the truth. */
export interface DeliveryJob {
  /** The deliveries' groupKey: an idempotency key, or a grouped message's key. */
  key: string
  /** Set in Redis the moment the channel accepted the message (see deliver.ts). */
  sentAt?: string
}

/**
 * Jobs are removed once complete: the delivery rows, not the job history,
 * say what was sent, and a held alert released later must be able to use
 * its id again. While a job waits or runs, its id keeps a second one out.
 */
export function deliveryJobOptions(ctx: AlertContext, key: string): JobsOptions {
  return {
    jobId: key,
    attempts: ctx.settings.deliveryAttempts,
    backoff: { type: 'exponential', delay: ctx.settings.deliveryBackoffMs },
    removeOnComplete: true,
    removeOnFail: { count: 5000, age: 30 * 24 * 3600 },
  }
}

/** One job per key; a key whose job already waits or runs is left alone. */
export async function ensureDeliveryJobs(ctx: AlertContext, keys: Iterable<string>): Promise<void> {
  for (const key of new Set(keys)) {
    await ctx.deliveriesQueue.add(DELIVER_JOB, { key } satisfies DeliveryJob, deliveryJobOptions(ctx, key))
  }
}
