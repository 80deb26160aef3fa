import { Worker, type Job } from 'bullmq'
import { QUEUES } from '../queue/jobs.ts'
import type { AlertEvent } from '../recorder/recorder.ts'
import { openAlertContext, type AlertContext, type AlertsOptions } from './context.ts'
import { deliver } from './deliver.ts'
import { dispatchBreakEvent } from './dispatch.ts'
import type { DeliveryJob } from './enqueue.ts'
import { flushChannel, type FlushJob } from './grouping.ts'
import { FLUSH_JOB, TICK_JOB, TICK_SCHEDULER_ID } from './keys.ts'
import { runAlertTick } from './tick.ts'
import type { ScheduledPart } from '../queue/schedule-keeper.ts'

export interface Alerts extends ScheduledPart {
  context: AlertContext
}

/** Deliveries at once: different channels answer at their own pace. */
const DELIVERY_CONCURRENCY = 4

/**
 * The alert pipeline of docs/alerts.md. Queue "alerts" (one at a time, in
 * order): the recorder's break events become delivery rows and jobs,
 * grouping windows close, the tick runs. Queue "alert-deliveries": each job
 * sends one message to one channel, with retries and exponential backoff.
 * Any number of processes may run this: rows and job ids keep it once.
 */
export async function startAlerts(options: AlertsOptions): Promise<Alerts> {
  const { connection, prefix, logger } = options
  const ctx = openAlertContext(options)

  const schedule = async () => {
    if (ctx.settings.tickEveryMs <= 0) return
    await ctx.alertsQueue.upsertJobScheduler(
      TICK_SCHEDULER_ID,
      { every: ctx.settings.tickEveryMs },
      { name: TICK_JOB, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } } },
    )
  }
  await schedule()

  const events = new Worker(
    QUEUES.alerts,
    async (job: Job) => {
      switch (job.name) {
        case 'break.opened':
        case 'break.resolved':
          return dispatchBreakEvent(ctx, job.data as AlertEvent)
        case FLUSH_JOB:
          return flushChannel(ctx, (job.data as FlushJob).channelId)
        case TICK_JOB:
          return runAlertTick(ctx)
        default:
          logger?.warn({ name: job.name, id: job.id }, 'unknown job on the alerts queue: ignored')
          return null
      }
    },
    { connection, prefix, concurrency: 1 },
  )
  const deliveries = new Worker<DeliveryJob>(QUEUES.alertDeliveries, (job, token) => deliver(ctx, job, token), {
    connection,
    prefix,
    concurrency: DELIVERY_CONCURRENCY,
  })
  events.on('failed', (job, error) =>
    logger?.warn({ err: error, job: job?.id, name: job?.name, attempts: job?.attemptsMade }, 'alert event failed: will retry'),
  )
  for (const worker of [events, deliveries]) {
    worker.on('error', (error) => logger?.error({ err: error }, 'alerts worker error'))
  }

  return {
    context: ctx,
    schedule,
    async close() {
      await Promise.all([events.close(), deliveries.close()])
      await ctx.close()
    },
  }
}

export { runAlertTick, type TickReport } from './tick.ts'
export { sendTestAlert, UnknownChannelError, type TestAlertOptions } from './test-alert.ts'
export { acknowledgeBreak } from './acknowledge.ts'
export { openAlertContext, type AlertContext, type AlertsOptions } from './context.ts'
export { alertSettingsFromEnv, type AlertSettings } from './settings.ts'
