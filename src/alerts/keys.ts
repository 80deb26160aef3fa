// Names that make alerts idempotent. A delivery's idempotency key is also
// the id of the BullMQ job that sends it, so a retried event or a restart
// finds the row (and the job) already there. BullMQ accepts a ':' in a
// custom job id only when the id has exactly three parts: these all do.

export type BreakAlertKind = 'open' | 'resolve' | 'reminder'

/**
 * `<breakId>:<kind>:<channelId>`; reminders carry their number: `<breakId>:reminder-2:<channelId>`.
 * An alert to the tech owner (no channel) has `owner` for its channel id.
 */
export function deliveryKey(breakId: string, kind: BreakAlertKind, channelId: string, reminder?: number): string {
  const part = kind === 'reminder' ? `reminder-${reminder ?? 1}` : kind
  return `${breakId}:${part}:${channelId}`
}

/** The reminder number in a reminder's key, else null. */
export function reminderNumber(key: string): number | null {
  const match = /:reminder-(\d+):/.exec(key)
  return match ? Number(match[1]) : null
}

/** The shared key (and job id) of the open alerts sent as one grouped message. */
export function groupKey(channelId: string, firstDeliveryId: string): string {
  return `group:${channelId}:${firstDeliveryId}`
}

/** The grouping flush of a channel's window, named after the window's first alert. */
export function flushJobId(channelId: string, firstDeliveryId: string): string {
  return `flush:${channelId}:${firstDeliveryId}`
}

/** The one job scheduler of the alert tick (reminders, maintenance releases, repairs). */
export const TICK_SCHEDULER_ID = 'kept:alert-tick'

/** Job names on queue "alerts" besides the recorder's break events. */
export const FLUSH_JOB = 'flush'
export const TICK_JOB = 'tick'
export const DELIVER_JOB = 'deliver'
