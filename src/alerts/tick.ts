import { and, asc, eq, exists, gt, inArray, isNotNull, isNull, lt, not, notInArray, sql } from 'drizzle-orm'
import { alertDeliveries, breaks } from '../db/schema.ts'
import type { AlertContext } from './context.ts'
import { dispatchBreakEvent } from './dispatch.ts'
import { tellClaimDrift } from './drift-notices.ts'
import { tellNotWalked } from './region-notices.ts'
import { ensureDeliveryJobs } from './enqueue.ts'
import { scheduleFlush } from './grouping.ts'
import { deliveryKey } from './keys.ts'
import { maintenanceCheck } from './maintenance.ts'
import { TARGET_COLUMNS, isReachable, sameTarget, targetKeyPart } from './targets.ts'

export interface TickReport {
  /** Held alerts sent on their way because their window ended. */
  released: number
  /** Held alerts dropped: the break resolved inside the window, or its open was never sent. */
  cancelled: number
  /** Reminders queued (one per break, sent to every channel told about the open). */
  reminders: number
  /** Marketing owners told their site's words started or stopped drifting from a promise. */
  claimDrift: number
  /** Tech owners told a region of their promises has no live worker (once an outage). */
  notWalked?: number
}

/**
 * The periodic pass (job scheduler kept:alert-tick, every tickEveryMs):
 * releases alerts held by maintenance windows that have ended, queues
 * reminders of open, unacknowledged breaks, tells marketing owners of
 * claim drift (drift-notices.ts), and re-adds any job a crash lost between
 * a committed row and its job.
 */
export async function runAlertTick(ctx: AlertContext): Promise<TickReport> {
  const report = await releaseHeld(ctx)
  report.reminders = await queueReminders(ctx)
  report.claimDrift = await tellClaimDrift(ctx)
  report.notWalked = await tellNotWalked(ctx)
  await repairJobs(ctx)
  return report
}

/**
 * Opens first, then resolves, so a resolve sees what became of its open:
 * a break that opened and resolved inside the window says nothing at all.
 * Released opens of one channel are flushed together at once (their
 * window is long past), so the end of a site-wide window groups them.
 */
async function releaseHeld(ctx: AlertContext): Promise<TickReport> {
  const report: TickReport = { released: 0, cancelled: 0, reminders: 0, claimDrift: 0 }
  const held = await ctx.db
    .select({ row: alertDeliveries, promiseId: breaks.promiseId, resolvedAt: breaks.resolvedAt })
    .from(alertDeliveries)
    .innerJoin(breaks, eq(breaks.id, alertDeliveries.breakId))
    .where(eq(alertDeliveries.status, 'held'))
    .orderBy(asc(alertDeliveries.createdAt))
  if (held.length === 0) return report
  const inMaintenance = await maintenanceCheck(ctx.db, ctx.now())
  const grouping = ctx.settings.groupWindowMs > 0
  const flushChannels = new Set<string>()
  const keys: string[] = []
  const order = { open: 0, resolve: 1, reminder: 2, grouped: 3, test: 4 }
  held.sort((a, b) => order[a.row.kind] - order[b.row.kind])

  for (const { row, promiseId, resolvedAt } of held) {
    if (inMaintenance(promiseId)) continue
    let release = false
    if (row.kind === 'open') release = resolvedAt === null
    else if (row.kind === 'resolve') {
      const [open] = await ctx.db
        .select({ status: alertDeliveries.status })
        .from(alertDeliveries)
        .where(and(eq(alertDeliveries.breakId, row.breakId!), sameTarget(row), eq(alertDeliveries.kind, 'open')))
      release = open !== undefined && !['held', 'cancelled'].includes(open.status)
    }
    // Owners are told alone: only a channel's alerts wait for its window.
    const waitForGroup = release && row.kind === 'open' && grouping && row.channelId !== null
    const updated = await ctx.db
      .update(alertDeliveries)
      .set(
        release
          ? { status: 'pending', groupKey: waitForGroup ? null : row.idempotencyKey }
          : { status: 'cancelled' },
      )
      .where(and(eq(alertDeliveries.id, row.id), eq(alertDeliveries.status, 'held')))
      .returning({ id: alertDeliveries.id })
    if (updated.length === 0) continue
    if (!release) {
      report.cancelled++
      continue
    }
    report.released++
    if (waitForGroup && row.channelId) flushChannels.add(row.channelId)
    else keys.push(row.idempotencyKey)
  }
  for (const channelId of flushChannels) await scheduleFlush(ctx, channelId)
  await ensureDeliveryJobs(ctx, keys)
  if (report.released || report.cancelled) ctx.logger?.info(report, 'held alerts released after maintenance')
  return report
}

/**
 * One reminder per interval for each open, unacknowledged break, up to
 * reminderMax, to the channels its open alert reached. The break's counter
 * and the reminder rows are written in one transaction, guarded by the
 * counter, so two ticks never send the same reminder.
 */
async function queueReminders(ctx: AlertContext): Promise<number> {
  const { reminderMax, reminderIntervalMs } = ctx.settings
  if (reminderMax <= 0) return 0
  const now = ctx.now()
  const due = await ctx.db
    .select({ id: breaks.id, promiseId: breaks.promiseId, remindersSent: breaks.remindersSent })
    .from(breaks)
    .where(
      and(
        isNull(breaks.resolvedAt),
        isNull(breaks.acknowledgedAt),
        lt(breaks.remindersSent, reminderMax),
        sql`coalesce(${breaks.lastReminderAt}, ${breaks.openedAt}) <= ${new Date(now.getTime() - reminderIntervalMs).toISOString()}`,
      ),
    )
  if (due.length === 0) return 0
  const inMaintenance = await maintenanceCheck(ctx.db, now)
  let queued = 0
  const keys: string[] = []
  for (const brk of due) {
    if (inMaintenance(brk.promiseId)) continue
    const told = (
      await ctx.db
        .select(TARGET_COLUMNS)
        .from(alertDeliveries)
        .where(and(eq(alertDeliveries.breakId, brk.id), eq(alertDeliveries.kind, 'open'), inArray(alertDeliveries.status, ['sent', 'logged'])))
    ).filter(isReachable)
    if (told.length === 0) continue
    const n = brk.remindersSent + 1
    const added = await ctx.db.transaction(async (tx) => {
      const claimed = await tx
        .update(breaks)
        .set({ remindersSent: n, lastReminderAt: now })
        .where(and(eq(breaks.id, brk.id), eq(breaks.remindersSent, brk.remindersSent), isNull(breaks.acknowledgedAt)))
        .returning({ id: breaks.id })
      if (claimed.length === 0) return []
      const rows = told.map((target) => {
        const key = deliveryKey(brk.id, 'reminder', targetKeyPart(target), n)
        return { idempotencyKey: key, breakId: brk.id, ...target, kind: 'reminder' as const, groupKey: key, createdAt: now }
      })
      await tx.insert(alertDeliveries).values(rows).onConflictDoNothing({ target: alertDeliveries.idempotencyKey })
      return rows.map((row) => row.idempotencyKey)
    })
    if (added.length) queued++
    keys.push(...added)
  }
  await ensureDeliveryJobs(ctx, keys)
  return queued
}

/**
 * What a crash, a long outage or a lost Redis can leave behind, put right:
 * - a pending row whose job was never added (a crash between the commit
 *   and the add), or whose job failed without the row saying so (stalled
 *   by killed processes, Postgres away on its last try): its job again;
 * - alerts waiting for a group with no flush: the channel's flush;
 * - a break event that never became rows (the event job gave up, or Redis
 *   lost it): dispatched now, for breaks of the last day.
 * Only rows older than a minute, so the normal path is left to itself.
 */
async function repairJobs(ctx: AlertContext): Promise<void> {
  const now = ctx.now()
  const settled = new Date(now.getTime() - 60_000)
  const pending = await ctx.db
    .selectDistinct({ groupKey: alertDeliveries.groupKey })
    .from(alertDeliveries)
    .where(and(eq(alertDeliveries.status, 'pending'), isNotNull(alertDeliveries.groupKey), lt(alertDeliveries.createdAt, settled)))
    .limit(1000)
  const keys = pending.flatMap((row) => (row.groupKey ? [row.groupKey] : []))
  await ensureDeliveryJobs(ctx, keys)
  for (const key of keys) {
    const job = await ctx.deliveriesQueue.getJob(key)
    if (job && (await job.isFailed())) {
      ctx.logger?.warn({ key }, 'a failed delivery job of a pending alert: retried')
      await job.retry()
    }
  }
  const waiting = await ctx.db
    .selectDistinct({ channelId: alertDeliveries.channelId })
    .from(alertDeliveries)
    .where(and(eq(alertDeliveries.status, 'pending'), isNull(alertDeliveries.groupKey), eq(alertDeliveries.kind, 'open')))
  for (const { channelId } of waiting) if (channelId) await scheduleFlush(ctx, channelId)
  await redispatchLostEvents(ctx, now, settled)
}

async function redispatchLostEvents(ctx: AlertContext, now: Date, settled: Date): Promise<void> {
  const since = new Date(now.getTime() - 24 * 3600_000)
  const hasDelivery = (kind: 'open' | 'resolve') =>
    exists(
      ctx.db
        .select({ one: sql`1` })
        .from(alertDeliveries)
        .where(and(eq(alertDeliveries.breakId, breaks.id), eq(alertDeliveries.kind, kind))),
    )
  const unannouncedOpen = await ctx.db
    .select({ id: breaks.id, promiseId: breaks.promiseId, runId: breaks.openedByRunId, at: breaks.openedAt })
    .from(breaks)
    .where(and(isNull(breaks.resolvedAt), gt(breaks.createdAt, since), lt(breaks.createdAt, settled), not(hasDelivery('open'))))
    .limit(100)
  // A resolve is owed where an open went out (not held, not cancelled) and no resolve row exists.
  const unannouncedResolve = await ctx.db
    .select({ id: breaks.id, promiseId: breaks.promiseId, runId: breaks.resolvedByRunId, at: breaks.resolvedAt })
    .from(breaks)
    .where(
      and(
        isNotNull(breaks.resolvedAt),
        gt(breaks.resolvedAt, since),
        lt(breaks.resolvedAt, settled),
        exists(
          ctx.db
            .select({ one: sql`1` })
            .from(alertDeliveries)
            .where(
              and(
                eq(alertDeliveries.breakId, breaks.id),
                eq(alertDeliveries.kind, 'open'),
                notInArray(alertDeliveries.status, ['held', 'cancelled']),
              ),
            ),
        ),
        not(hasDelivery('resolve')),
      ),
    )
    .limit(100)
  const events = [
    ...unannouncedOpen.map((brk) => ({ type: 'break.opened' as const, brk })),
    ...unannouncedResolve.map((brk) => ({ type: 'break.resolved' as const, brk })),
  ]
  for (const { type, brk } of events) {
    const dispatched = await dispatchBreakEvent(ctx, {
      type,
      breakId: brk.id,
      promiseId: brk.promiseId,
      runId: brk.runId ?? '',
      at: (brk.at ?? now).toISOString(),
    })
    if (dispatched) ctx.logger?.warn({ breakId: brk.id, type }, 'a break event that never became alerts: dispatched by the tick')
  }
}

/** Used by acknowledgeBreak: reminders not yet sent are not worth sending. */
export async function cancelPendingReminders(ctx: Pick<AlertContext, 'db'>, breakId: string): Promise<number> {
  const cancelled = await ctx.db
    .update(alertDeliveries)
    .set({ status: 'cancelled' })
    .where(
      and(
        eq(alertDeliveries.breakId, breakId),
        eq(alertDeliveries.kind, 'reminder'),
        inArray(alertDeliveries.status, ['pending', 'held']),
      ),
    )
    .returning({ id: alertDeliveries.id })
  return cancelled.length
}
