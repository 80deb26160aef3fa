import { and, eq, notInArray } from 'drizzle-orm'
import { alertDeliveries, breaks, channels } from '../db/schema.ts'
import type { AlertEvent } from '../recorder/recorder.ts'
import type { AlertContext } from './context.ts'
import { ensureDeliveryJobs } from './enqueue.ts'
import { sendsAtOnce } from '../domain/alert-grouping.ts'
import { openAlertsOf, scheduleFlush } from './grouping.ts'
import { deliveryKey } from './keys.ts'
import { routeAlert } from './routing.ts'
import { TARGET_COLUMNS, isReachable, targetKeyPart } from './targets.ts'
import { OWNER_TARGET, ownerLabel } from '../domain/alert-route.ts'

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
  if (event.type === 'break.opened') return dispatchOpen(ctx, brk)
  // A resolve whose open was never dispatched (an event retried out of
  // order) dispatches the open first: the resolve only follows an open.
  // One that was dispatched is not routed again: a channel added or
  // deleted since never hears of an open the break no longer has.
  const [anyOpen] = await ctx.db
    .select({ id: alertDeliveries.id })
    .from(alertDeliveries)
    .where(and(eq(alertDeliveries.breakId, brk.id), eq(alertDeliveries.kind, 'open')))
    .limit(1)
  if (!anyOpen) await dispatchOpen(ctx, brk)
  return dispatchResolve(ctx, brk.id)
}

async function dispatchOpen(ctx: AlertContext, brk: { id: string; promiseId: string }): Promise<number> {
  const route = await routeAlert(ctx.db, brk.promiseId)
  if (route.via === 'nowhere') {
    ctx.logger?.warn({ breakId: brk.id, promiseId: brk.promiseId }, 'a break with nowhere to alert: the promise has no channel, no default channel and no tech owner')
    return 0
  }
  if (route.via === 'owner') {
    // No channel heard of it: its tech owner, by email, alone (no grouping window).
    const key = deliveryKey(brk.id, 'open', OWNER_TARGET)
    await ctx.db
      .insert(alertDeliveries)
      .values({
        idempotencyKey: key,
        breakId: brk.id,
        channelId: null,
        recipient: route.recipient,
        channelLabel: ownerLabel(route.recipient),
        kind: 'open',
        groupKey: key,
        createdAt: ctx.now(),
      })
      .onConflictDoNothing({ target: alertDeliveries.idempotencyKey })
    await ensurePending(ctx, brk.id, 'open')
    return 1
  }
  const grouping = ctx.settings.groupWindowMs > 0
  for (const channelId of route.channelIds) {
    const key = deliveryKey(brk.id, 'open', channelId)
    // The channel lock orders this insert with the channel's grouping flush (grouping.ts).
    await ctx.db.transaction(async (tx) => {
      const [channel] = await tx.select({ id: channels.id, name: channels.name }).from(channels).where(eq(channels.id, channelId)).for('update')
      if (!channel) return // deleted a moment ago
      const now = ctx.now()
      const recent = grouping ? await openAlertsOf(tx, channelId, { from: new Date(now.getTime() - ctx.settings.groupWindowMs) }) : 0
      const atOnce = sendsAtOnce(recent, { threshold: ctx.settings.groupThreshold })
      await tx
        .insert(alertDeliveries)
        .values({ idempotencyKey: key, breakId: brk.id, channelId, channelLabel: channel.name, kind: 'open', groupKey: atOnce ? key : null, createdAt: now })
        .onConflictDoNothing({ target: alertDeliveries.idempotencyKey })
    })
    if (grouping) await scheduleFlush(ctx, channelId)
  }
  await ensurePending(ctx, brk.id, 'open')
  return route.channelIds.length
}

/**
 * A resolve goes where the open went: every channel (or owner) with an
 * open alert that was (or is being) sent. Where the open is held or
 * cancelled (maintenance), nothing was said, so nothing is taken back.
 */
async function dispatchResolve(ctx: AlertContext, breakId: string): Promise<number> {
  const told = await ctx.db
    .select(TARGET_COLUMNS)
    .from(alertDeliveries)
    .where(
      and(
        eq(alertDeliveries.breakId, breakId),
        eq(alertDeliveries.kind, 'open'),
        notInArray(alertDeliveries.status, ['held', 'cancelled']),
      ),
    )
  const reachable = told.filter(isReachable) // not a channel deleted since
  for (const target of reachable) {
    const key = deliveryKey(breakId, 'resolve', targetKeyPart(target))
    await ctx.db
      .insert(alertDeliveries)
      .values({ idempotencyKey: key, breakId, ...target, kind: 'resolve', groupKey: key, createdAt: ctx.now() })
      .onConflictDoNothing({ target: alertDeliveries.idempotencyKey })
  }
  await ensurePending(ctx, breakId, 'resolve')
  return reachable.length
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
