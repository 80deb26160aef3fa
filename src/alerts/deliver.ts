import { DelayedError, UnrecoverableError, type Job } from 'bullmq'
import { and, eq, inArray, sql } from 'drizzle-orm'
import { alertDeliveries, breaks, channels, type ChannelType } from '../db/schema.ts'
import { ownerLabel } from '../domain/alert-route.ts'
import { buildAlertMessage, type AlertInput } from '../domain/alert-message.ts'
import { readChannelConfig } from './channel-config.ts'
import { ChannelError, DEDUPES_BY_KEY, sendToChannel, type SendOutcome } from './channels/index.ts'
import { DEFAULT_TIMEOUT_MS } from './channels/http.ts'
import type { AlertContext } from './context.ts'
import type { DeliveryJob } from './enqueue.ts'
import { loadBreakFacts, type LoadedFacts } from './facts.ts'
import { reminderNumber } from './keys.ts'
import { maintenanceCheck } from './maintenance.ts'
import { NOT_SENT_REASON, keepInOutbox } from '../notify/outbox.ts'
import { sameTarget } from './targets.ts'

type Delivery = typeof alertDeliveries.$inferSelect
type Verdict = 'send' | 'hold' | 'cancel' | 'wait'

// A resolve waits for its open alert to leave first (PagerDuty must see
// the trigger before the resolve), but not forever.
const MAX_RESOLVE_WAIT_MS = 3600_000

/**
 * Send one delivery job: the pending rows under its key, as one message to
 * one channel. The rows are the truth: a row already sent is never sent
 * again, whatever job (a retry, a re-added job after a restart) asks.
 *
 * The one gap is a crash after the channel accepted the message and before
 * that was written down. Kept then sends again (at least once), under the
 * same key: X-Kept-Delivery / Idempotency-Key for webhooks, the Message-ID
 * for email, the break id as PagerDuty's dedup_key, so receivers can drop
 * the repeat. Slack and Teams drop nothing: for them an interrupted attempt
 * (sendingAt written, no outcome) is waited out for the channel timeout
 * before a new one, so two POSTs are never in flight at once. The gap is
 * narrowed by writing "sent" to the job in Redis first, then to the rows.
 */
export async function deliver(ctx: AlertContext, job: Job<DeliveryJob>, token?: string): Promise<string> {
  const { key } = job.data
  const rows = (await ctx.db.select().from(alertDeliveries).where(eq(alertDeliveries.groupKey, key))).filter(
    (row) => row.status === 'pending',
  )
  if (rows.length === 0) return 'nothing to send'
  const target = await targetOf(ctx, rows[0]!)
  if (!target) {
    // Its channel was deleted after the alert was queued: say so on the row, send nothing.
    await recordFailure(ctx, rows, null, 'the channel was deleted before this alert was sent', true)
    return 'channel deleted'
  }
  if (job.data.sentAt) {
    await markSent(ctx, rows, target.channelId, new Date(job.data.sentAt))
    return 'sent before a restart: recorded'
  }

  const now = ctx.now()
  const verdicts = await judge(ctx, rows, now)
  const withVerdict = (verdict: Verdict) => rows.filter((row) => verdicts.get(row.id) === verdict)
  await setStatus(ctx, withVerdict('hold'), 'held')
  await setStatus(ctx, withVerdict('cancel'), 'cancelled')
  if (withVerdict('wait').length && now.getTime() - job.timestamp < MAX_RESOLVE_WAIT_MS) {
    await job.moveToDelayed(Date.now() + ctx.settings.deliveryBackoffMs, token)
    throw new DelayedError()
  }
  const due = rows.filter((row) => ['send', 'wait'].includes(verdicts.get(row.id)!))
  if (due.length === 0) return 'held or cancelled'

  let config
  try {
    config = target.config()
  } catch (error) {
    // No retry can fix the settings: fail now, visibly.
    await recordFailure(ctx, due, target.channelId, reason(error), true)
    throw new UnrecoverableError(reason(error))
  }
  const loaded = (
    await Promise.all(
      due.map(async (row) => ({ row, loaded: await loadBreakFacts(ctx.db, row.breakId!, ctx.settings) })),
    )
  ).filter((item): item is { row: Delivery; loaded: LoadedFacts } => item.loaded !== null)
  if (loaded.length === 0) return 'break deleted'
  const message = buildAlertMessage(inputFor(loaded), { now, timezone: ctx.settings.timezone })
  const sending = loaded.map((item) => item.row)
  const first = loaded[0]!.loaded.facts

  // An attempt that began and never said how it ended (the process died
  // mid-POST) may still land. Channels that cannot drop a repeat by its key
  // wait until that attempt is surely over before sending again.
  const interrupted = Math.max(0, ...sending.map((row) => row.sendingAt?.getTime() ?? 0))
  const overAt = interrupted + DEFAULT_TIMEOUT_MS
  if (interrupted && !DEDUPES_BY_KEY[target.type] && now.getTime() < overAt) {
    ctx.logger?.info({ to: target.label, key, waitMs: overAt - now.getTime() }, `an attempt to ${target.label} was interrupted: waiting out its timeout before sending again`)
    await job.moveToDelayed(Date.now() + (overAt - now.getTime()), token)
    throw new DelayedError()
  }

  await ctx.db
    .update(alertDeliveries)
    .set({ attempts: sql`${alertDeliveries.attempts} + 1`, sendingAt: now })
    .where(inArray(alertDeliveries.id, ids(sending)))
  let outcome: SendOutcome
  try {
    outcome = await sendToChannel(target.type, config, message, {
      deliveryId: key,
      now,
      screenshot: loaded[0]!.loaded.screenshot,
      mailer: ctx.mailer,
      ...(ctx.targetPolicy ? { targetPolicy: ctx.targetPolicy } : {}),
      keepUnsent: (mail) =>
        keepInOutbox(ctx.db, {
          kind: 'alert',
          ...mail,
          deliveryKey: key,
          breakId: first.break.id,
          promiseId: first.promise.id,
          promiseTitle: first.promise.title,
        }),
    })
  } catch (error) {
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
    await recordFailure(ctx, sending, target.channelId, reason(error), final)
    ctx.logger?.warn(
      { to: target.label, channelType: target.type, key, attempt: job.attemptsMade + 1, final, err: reason(error) },
      final ? `alert to ${target.label} not delivered: giving up` : `alert to ${target.label} not delivered yet: will retry`,
    )
    throw error
  }
  await job.updateData({ ...job.data, sentAt: now.toISOString() })
  if (outcome === 'logged') {
    await markLogged(ctx, sending, now)
    ctx.logger?.info({ to: target.label, key, kind: message.kind, breaks: sending.length }, `alert to ${target.label} kept in the outbox: ${NOT_SENT_REASON}`)
    return 'logged'
  }
  await markSent(ctx, sending, target.channelId, now)
  ctx.logger?.info({ to: target.label, channelType: target.type, key, kind: message.kind, breaks: sending.length }, `alert sent to ${target.label}`)
  return 'sent'
}

/** Where a delivery goes: its channel, or its owner's address by email; null when its channel was deleted. */
interface Target {
  channelId: string | null
  type: ChannelType
  /** "Ops Slack (slack)", "tech owner tom@example.com" */
  label: string
  config(): unknown
}

async function targetOf(ctx: AlertContext, row: Delivery): Promise<Target | null> {
  if (row.channelId) {
    const [channel] = await ctx.db.select().from(channels).where(eq(channels.id, row.channelId))
    if (!channel) return null
    return {
      channelId: channel.id,
      type: channel.type,
      label: `${channel.name} (${channel.type})`,
      config: () => readChannelConfig(ctx.secretKey, channel.type, channel.configEncrypted),
    }
  }
  if (!row.recipient) return null
  const to = row.recipient.split(',').map((address) => address.trim())
  return { channelId: null, type: 'email', label: row.channelLabel ?? ownerLabel(row.recipient), config: () => ({ to }) }
}

function inputFor(items: { row: Delivery; loaded: LoadedFacts }[]): AlertInput {
  if (items.length > 1) return { kind: 'grouped', items: items.map((item) => item.loaded.facts) }
  const { row, loaded } = items[0]!
  if (row.kind === 'reminder') return { kind: 'reminder', facts: loaded.facts, reminder: reminderNumber(row.idempotencyKey) ?? 1 }
  return { kind: row.kind === 'resolve' ? 'resolve' : 'open', facts: loaded.facts }
}

/**
 * What each row deserves now. In a maintenance window of its promise an
 * open or resolve is held (the tick releases it), a reminder cancelled.
 * A reminder of a break resolved or acknowledged meanwhile is cancelled.
 * A resolve follows its open: it waits while the open is pending, and is
 * cancelled when the open was never sent (held, cancelled).
 */
async function judge(ctx: AlertContext, rows: Delivery[], now: Date): Promise<Map<string, Verdict>> {
  const breakIds = [...new Set(rows.map((row) => row.breakId!))]
  const found = await ctx.db
    .select({ id: breaks.id, promiseId: breaks.promiseId, resolvedAt: breaks.resolvedAt, acknowledgedAt: breaks.acknowledgedAt })
    .from(breaks)
    .where(inArray(breaks.id, breakIds))
  const breakOf = new Map(found.map((brk) => [brk.id, brk]))
  const inMaintenance = await maintenanceCheck(ctx.db, now)
  const verdicts = new Map<string, Verdict>()
  for (const row of rows) {
    const brk = breakOf.get(row.breakId!)
    let verdict: Verdict = 'send'
    if (!brk) verdict = 'cancel'
    else if (row.kind === 'reminder' && (brk.resolvedAt || brk.acknowledgedAt || inMaintenance(brk.promiseId))) verdict = 'cancel'
    else if (inMaintenance(brk.promiseId)) verdict = 'hold'
    else if (row.kind === 'resolve') verdict = await resolveVerdict(ctx, row)
    verdicts.set(row.id, verdict)
  }
  return verdicts
}

async function resolveVerdict(ctx: AlertContext, row: Delivery): Promise<Verdict> {
  const [open] = await ctx.db
    .select({ status: alertDeliveries.status })
    .from(alertDeliveries)
    .where(and(eq(alertDeliveries.breakId, row.breakId!), sameTarget(row), eq(alertDeliveries.kind, 'open')))
  if (!open || open.status === 'held' || open.status === 'cancelled') return 'cancel'
  return open.status === 'pending' ? 'wait' : 'send'
}

async function setStatus(ctx: AlertContext, rows: Delivery[], status: 'held' | 'cancelled'): Promise<void> {
  if (rows.length === 0) return
  // A held alert leaves its group: when released it waits for a window anew.
  await ctx.db
    .update(alertDeliveries)
    .set(status === 'held' ? { status, groupKey: null } : { status })
    .where(and(inArray(alertDeliveries.id, ids(rows)), eq(alertDeliveries.status, 'pending')))
}

async function markSent(ctx: AlertContext, rows: Delivery[], channelId: string | null, at: Date): Promise<void> {
  await ctx.db
    .update(alertDeliveries)
    .set({ status: 'sent', sentAt: at, lastError: null })
    .where(inArray(alertDeliveries.id, ids(rows)))
  if (channelId) await ctx.db.update(channels).set({ lastError: null, lastErrorAt: null }).where(eq(channels.id, channelId))
}

/** Kept in the outbox: not an error of the channel, and never retried. */
async function markLogged(ctx: AlertContext, rows: Delivery[], at: Date): Promise<void> {
  await ctx.db
    .update(alertDeliveries)
    .set({ status: 'logged', sentAt: at, lastError: NOT_SENT_REASON })
    .where(inArray(alertDeliveries.id, ids(rows)))
}

/** The row keeps the error (and stays pending while retries remain); the channel shows it. */
async function recordFailure(ctx: AlertContext, rows: Delivery[], channelId: string | null, error: string, final: boolean) {
  await ctx.db
    .update(alertDeliveries)
    // sendingAt cleared: this attempt said how it ended (see "interrupted").
    .set(final ? { lastError: error, status: 'failed', sendingAt: null } : { lastError: error, sendingAt: null })
    .where(inArray(alertDeliveries.id, ids(rows)))
  if (channelId) await ctx.db.update(channels).set({ lastError: error, lastErrorAt: ctx.now() }).where(eq(channels.id, channelId))
}

function ids(rows: Delivery[]): string[] {
  return rows.map((row) => row.id)
}

function reason(error: unknown): string {
  if (error instanceof ChannelError) return error.message
  return `unexpected error: ${(error as Error)?.message ?? String(error)}`
}
