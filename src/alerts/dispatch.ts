import { and, eq, notInArray } from 'drizzle-orm'
import { alertDeliveries, breaks, channels } from '../db/schema.ts'
import type { AlertEvent } from '../recorder/recorder.ts'
import type { AlertContext } from './context.ts'
import { ensureDeliveryJobs } from './enqueue.ts'
import { sendsAtOnce } from '../domain/alert-grouping.ts'
import { openAlertsOf, scheduleFlush } from './grouping.ts'
import { deliveryKey } from './keys.ts'
import { routeChannels } from './routing.ts'

/**
 * Turn a break event of the recorder into delivery rows, one per channel
 * and kind (insert … on conflict do nothing), and their jobs. Safe to run
 * again after a crash at any point: rows are found, jobs re-added.
 */
export async function dispatchBreakEvent(ctx: AlertContext, event: AlertEvent): Promise<number> {
  const [brk] = await ctx.db
    .select({ id: breaks.id, promiseId: breaks.promiseId })
    .from(breaks)
    .where(eq(breaks.id, event.breakId))
  if (!brk) {
    ctx.logger?.info({ breakId: event.breakId }, 'alert of a deleted break: dropped')
    return 0
  }
  // A resolve whose open was never dispatched (an event retried out of
  // order) dispatches the open first: the resolve only follows an open.
  const opened = await dispatchOpen(ctx, brk)
  return event.type === 'break.resolved' ? dispatchResolve(ctx, brk.id) : opened
}

async function dispatchOpen(ctx: AlertContext, brk: { id: string; promiseId: string }): Promise<number> {
  const channelIds = await routeChannels(ctx.db, brk.promiseId)
  const grouping = ctx.settings.groupWindowMs > 0
  for (const channelId of channelIds) {
    const key = deliveryKey(brk.id, 'open', channelId)
    // The channel lock orders this insert with the channel's grouping flush (grouping.ts).
    await ctx.db.transaction(async (tx) => {
      await tx.select({ id: channels.id }).from(channels).where(eq(channels.id, channelId)).for('update')
      const now = ctx.now()
      const recent = grouping ? await openAlertsOf(tx, channelId, { from: new Date(now.getTime() - ctx.settings.groupWindowMs) }) : 0
      const atOnce = sendsAtOnce(recent, { threshold: ctx.settings.groupThreshold })
      await tx
        .insert(alertDeliveries)
        .values({ idempotencyKey: key, breakId: brk.id, channelId, kind: 'open', groupKey: atOnce ? key : null, createdAt: now })
        .onConflictDoNothing({ target: alertDeliveries.idempotencyKey })
    })
    if (grouping) await scheduleFlush(ctx, channelId)
  }
  await ensurePending(ctx, brk.id, 'open')
  return channelIds.length
}

/**
 * A resolve goes where the open went: every channel with an open alert
 * that was (or is being) sent. Where the open is held or cancelled
 * (maintenance), nothing was said, so nothing is taken back.
 */
async function dispatchResolve(ctx: AlertContext, breakId: string): Promise<number> {
  const told = await ctx.db
    .select({ channelId: alertDeliveries.channelId })
    .from(alertDeliveries)
    .where(
      and(
        eq(alertDeliveries.breakId, breakId),
        eq(alertDeliveries.kind, 'open'),
        notInArray(alertDeliveries.status, ['held', 'cancelled']),
      ),
    )
  for (const { channelId } of told) {
    const key = deliveryKey(breakId, 'resolve', channelId)
    await ctx.db
      .insert(alertDeliveries)
      .values({ idempotencyKey: key, breakId, channelId, kind: 'resolve', groupKey: key, createdAt: ctx.now() })
      .onConflictDoNothing({ target: alertDeliveries.idempotencyKey })
  }
  await ensurePending(ctx, breakId, 'resolve')
  return told.length
}

/** Jobs for the break's pending deliveries of this kind that have a key to send under. */
async function ensurePending(ctx: AlertContext, breakId: string, kind: 'open' | 'resolve'): Promise<void> {
  const rows = await ctx.db
    .select({ groupKey: alertDeliveries.groupKey })
    .from(alertDeliveries)
    .where(and(eq(alertDeliveries.breakId, breakId), eq(alertDeliveries.kind, kind), eq(alertDeliveries.status, 'pending')))
  await ensureDeliveryJobs(
    ctx,
    rows.flatMap((row) => (row.groupKey ? [row.groupKey] : [])),
  )
}
