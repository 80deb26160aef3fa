import { and, asc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm'
import { alertDeliveries, channels } from '../db/schema.ts'
import type { AlertContext } from './context.ts'
import { ensureDeliveryJobs } from './enqueue.ts'
import { FLUSH_JOB, flushJobId, groupKey } from './keys.ts'

// Grouping: an open alert for a channel first waits, ungrouped (groupKey
// null), for the channel's window to close: groupWindowMs after the oldest
// waiting alert. Then one flush gives every waiting alert its delivery:
// more than groupThreshold of them share one grouped message, fewer go
// alone. Inserts and flushes take the channel row's lock in turn, so an
// alert lands either in a flush or after it, in the next window.

export interface FlushJob {
  channelId: string
}

const waiting = (channelId: string) =>
  and(
    eq(alertDeliveries.channelId, channelId),
    eq(alertDeliveries.kind, 'open'),
    eq(alertDeliveries.status, 'pending'),
    isNull(alertDeliveries.groupKey),
  )

/**
 * Make sure the channel's current window has its flush job, due when the
 * oldest waiting alert has waited groupWindowMs. Idempotent: the job id is
 * named after that alert. Flush jobs are removed when done, so a window
 * that opens again on the same alert (released from a maintenance hold)
 * gets a new flush.
 */
export async function scheduleFlush(ctx: AlertContext, channelId: string): Promise<void> {
  const [oldest] = await ctx.db
    .select({ id: alertDeliveries.id, createdAt: alertDeliveries.createdAt })
    .from(alertDeliveries)
    .where(waiting(channelId))
    .orderBy(asc(alertDeliveries.createdAt), asc(alertDeliveries.id))
    .limit(1)
  if (!oldest) return
  const delay = Math.max(0, oldest.createdAt.getTime() + ctx.settings.groupWindowMs - ctx.now().getTime())
  await ctx.alertsQueue.add(FLUSH_JOB, { channelId } satisfies FlushJob, {
    jobId: flushJobId(channelId, oldest.id),
    delay,
    attempts: 20,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: true,
    removeOnFail: true,
  })
}

/** Close the channel's window: one grouped delivery, or one each. Returns the delivery keys. */
export async function flushChannel(ctx: AlertContext, channelId: string): Promise<string[]> {
  const keys = await ctx.db.transaction(async (tx) => {
    await tx.select({ id: channels.id }).from(channels).where(eq(channels.id, channelId)).for('update')
    const rows = await tx
      .select({ id: alertDeliveries.id, key: alertDeliveries.idempotencyKey })
      .from(alertDeliveries)
      .where(waiting(channelId))
      .orderBy(asc(alertDeliveries.createdAt), asc(alertDeliveries.id))
    if (rows.length === 0) return []
    const ids = rows.map((row) => row.id)
    if (rows.length > ctx.settings.groupThreshold) {
      const key = groupKey(channelId, rows[0]!.id)
      await tx.update(alertDeliveries).set({ groupKey: key }).where(inArray(alertDeliveries.id, ids))
      return [key]
    }
    await tx
      .update(alertDeliveries)
      .set({ groupKey: sql`${alertDeliveries.idempotencyKey}` })
      .where(inArray(alertDeliveries.id, ids))
    return rows.map((row) => row.key)
  })
  if (keys[0]?.startsWith('group:')) ctx.logger?.info({ channelId, groupKey: keys[0] }, 'open alerts grouped into one message')
  // With the keys of an earlier flush of this channel that died before
  // adding its jobs (a no-op for jobs that exist).
  const earlier = await ctx.db
    .selectDistinct({ key: alertDeliveries.groupKey })
    .from(alertDeliveries)
    .where(
      and(
        eq(alertDeliveries.channelId, channelId),
        eq(alertDeliveries.kind, 'open'),
        eq(alertDeliveries.status, 'pending'),
        isNotNull(alertDeliveries.groupKey),
      ),
    )
  await ensureDeliveryJobs(ctx, [...keys, ...earlier.flatMap((row) => (row.key ? [row.key] : []))])
  return keys
}
