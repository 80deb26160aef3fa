import { and, asc, count, eq, gte, inArray, isNotNull, isNull, lte, notInArray, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { alertDeliveries, channels } from '../db/schema.ts'
import { groupsWaiting } from '../domain/alert-grouping.ts'
import type { AlertContext } from './context.ts'
import { ensureDeliveryJobs } from './enqueue.ts'
import { FLUSH_JOB, flushJobId, groupKey } from './keys.ts'

// Grouping (the rules: src/domain/alert-grouping.ts). A channel's first
// groupThreshold open alerts of a window go at once (dispatch.ts). Later
// ones, and alerts released from a maintenance hold, wait ungrouped
// (groupKey null) for the channel's window to close: groupWindowMs after
// the oldest waiting alert. Then one flush gives every waiting alert its
// delivery: one grouped message, or one each. Inserts and flushes take the
// channel row's lock in turn, so an alert lands either in a flush or after
// it, in the next window.

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

type Executor = Pick<Db, 'select'>

/**
 * The channel's open alerts created in [from, to], held and cancelled ones
 * left out; with `alone`, only those that went (or go) in a message of their own.
 */
export async function openAlertsOf(db: Executor, channelId: string, range: { from: Date; to?: Date; alone?: boolean }): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(alertDeliveries)
    .where(
      and(
        eq(alertDeliveries.channelId, channelId),
        eq(alertDeliveries.kind, 'open'),
        notInArray(alertDeliveries.status, ['held', 'cancelled']),
        gte(alertDeliveries.createdAt, range.from),
        range.to ? lte(alertDeliveries.createdAt, range.to) : undefined,
        range.alone ? sql`${alertDeliveries.groupKey} = ${alertDeliveries.idempotencyKey}` : undefined,
      ),
    )
  return row?.n ?? 0
}

/** Close the channel's window: one grouped delivery, or one each. Returns the delivery keys. */
export async function flushChannel(ctx: AlertContext, channelId: string): Promise<string[]> {
  const keys = await ctx.db.transaction(async (tx) => {
    await tx.select({ id: channels.id }).from(channels).where(eq(channels.id, channelId)).for('update')
    const rows = await tx
      .select({ id: alertDeliveries.id, key: alertDeliveries.idempotencyKey, createdAt: alertDeliveries.createdAt })
      .from(alertDeliveries)
      .where(waiting(channelId))
      .orderBy(asc(alertDeliveries.createdAt), asc(alertDeliveries.id))
    if (rows.length === 0) return []
    const ids = rows.map((row) => row.id)
    const oldest = rows[0]!.createdAt
    const windowStart = new Date(oldest.getTime() - ctx.settings.groupWindowMs)
    const aloneBefore = await openAlertsOf(tx, channelId, { from: windowStart, to: oldest, alone: true })
    if (groupsWaiting(rows.length, aloneBefore, { threshold: ctx.settings.groupThreshold })) {
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
