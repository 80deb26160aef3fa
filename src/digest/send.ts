import { createHash } from 'node:crypto'
import { and, eq, isNull, lt, ne, or, sql } from 'drizzle-orm'
import type { Transporter } from 'nodemailer'
import type { Db } from '../db/client.ts'
import { keepInOutbox } from '../notify/outbox.ts'
import { digestDeliveries, digests } from '../db/schema.ts'
import type { DigestFigures } from '../domain/digest.ts'
import { WeekError, parseIsoWeek } from '../domain/week.ts'
import type { Logger } from '../infra/logger.ts'
import { buildDigestFigures } from './build.ts'
import { digestRecipients, unsubscribeUsers } from './recipients.ts'
import { renderDigest } from './render.ts'
import { unsubscribeUrl } from './unsubscribe.ts'

// Sending a week's digest exactly once per recipient, across restarts,
// retried jobs and `kept digest --send` at the same time:
//
// 1. The first sender records the digest (digests.week is unique) with
//    its figures and one delivery row per recipient, in one transaction.
//    Whoever comes later sends that snapshot, never new figures.
// 2. Each delivery is claimed (claimed_at) before its email goes to SMTP
//    and marked sent right after; a claim older than CLAIM_TIMEOUT_MS
//    belongs to a sender that died and may be taken over.
// 3. When every delivery is sent the digest is 'sent', and a later call
//    for that week sends nothing.
//
// Only a crash between SMTP accepting an email and the row being marked
// can repeat it; the Message-ID is fixed per week and recipient, so mail
// systems can drop such a duplicate.

export interface DigestSendDeps {
  db: Db
  mailer: Transporter
  /** SMTP_FROM */
  from: string
  /** KEPT_TIMEZONE */
  timezone: string
  /** KEPT_PUBLIC_URL, no trailing slash. */
  baseUrl: string
  /** KEPT_DIGEST_TO */
  extraRecipients: readonly string[]
  /** Signs the unsubscribe links. */
  secretKey: Buffer
  logger?: Logger
  now?: () => Date
  /** How long a claim holds before another sender may take the delivery over (default 30 min). */
  claimTimeoutMs?: number
}

export interface DigestSendReport {
  week: string
  /**
   * sent: every recipient has it (now or before this call); already-sent:
   * the week was sent earlier; incomplete: some failed or are held by
   * another sender (call again later); no-recipients: nothing recorded.
   */
  status: 'sent' | 'already-sent' | 'incomplete' | 'no-recipients'
  /** Emails handed to SMTP by this call. */
  sent: number
  failed: { recipient: string; error: string }[]
  /** Deliveries another sender holds right now. */
  held: number
}

/** Longer than nodemailer can take on one email (its socket timeout is 10 min of silence). */
export const CLAIM_TIMEOUT_MS = 30 * 60_000

export async function sendDigest(deps: DigestSendDeps, week: string): Promise<DigestSendReport> {
  const { db, logger } = deps
  parseIsoWeek(week)
  const report: DigestSendReport = { week, status: 'sent', sent: 0, failed: [], held: 0 }

  const digest = (await findDigest(db, week)) ?? (await recordDigest(deps, week))
  if (!digest) {
    logger?.warn({ week }, 'digest not sent: no recipients (no marketing, tech or admin users subscribed, KEPT_DIGEST_TO empty)')
    return { ...report, status: 'no-recipients' }
  }
  if (digest.status === 'sent') return { ...report, status: 'already-sent' }

  const figures = digest.figures as unknown as DigestFigures
  const pending = await db
    .select({ recipient: digestDeliveries.recipient })
    .from(digestDeliveries)
    .where(and(eq(digestDeliveries.digestId, digest.id), ne(digestDeliveries.status, 'sent')))
    .orderBy(digestDeliveries.recipient)
  const userIds = await unsubscribeUsers(
    db,
    pending.map((p) => p.recipient),
    deps.extraRecipients,
  )

  for (const { recipient } of pending) {
    if (!(await claim(deps, digest.id, recipient))) {
      report.held++
      continue
    }
    const userId = userIds.get(recipient)
    const rendered = renderDigest(figures, {
      baseUrl: deps.baseUrl,
      unsubscribe: userId ? { url: unsubscribeUrl(deps.baseUrl, deps.secretKey, userId) } : 'extra',
    })
    try {
      await deps.mailer.sendMail({
        from: deps.from,
        to: recipient,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        messageId: messageId(deps.baseUrl, week, recipient),
        headers: {
          'X-Kept-Digest': week,
          ...(userId ? { 'List-Unsubscribe': `<${unsubscribeUrl(deps.baseUrl, deps.secretKey, userId)}>` } : {}),
        },
      })
    } catch (error) {
      const message = smtpError(error)
      await release(db, digest.id, recipient, message)
      report.failed.push({ recipient, error: message })
      logger?.warn({ week, recipient, err: message }, 'digest email failed; it is sent again on the next try')
      continue
    }
    await db
      .update(digestDeliveries)
      .set({ status: 'sent', sentAt: new Date(), claimedAt: null, lastError: null })
      .where(and(eq(digestDeliveries.digestId, digest.id), eq(digestDeliveries.recipient, recipient)))
    report.sent++
    if (deps.mailer.transporter.name === 'JSONTransport') {
      // No SMTP_URL: the digest is kept in the outbox (Alerts page), where both owners can read it.
      await keepInOutbox(db, { kind: 'digest', to: [recipient], subject: rendered.subject, text: rendered.text, html: rendered.html }, logger)
    }
  }

  const done = await markSentWhenComplete(db, digest.id)
  if (done) logger?.info({ week, sentNow: report.sent }, 'digest sent')
  return { ...report, status: done ? 'sent' : 'incomplete' }
}

async function findDigest(db: Db, week: string) {
  const [row] = await db.select().from(digests).where(eq(digests.week, week))
  return row ?? null
}

/**
 * Records the week's digest, its figures and recipients, all or nothing.
 * When another sender recorded it first, theirs is returned.
 */
async function recordDigest(deps: DigestSendDeps, week: string) {
  const now = deps.now?.() ?? new Date()
  const figures = await buildDigestFigures(deps.db, { week, timezone: deps.timezone, now })
  if (!figures.complete) {
    throw new WeekError('week', `expected a week that is over, got "${week}": a digest is sent once, so it waits for the whole week`)
  }
  const recipients = await digestRecipients(deps.db, deps.extraRecipients)
  if (recipients.length === 0) return null
  await deps.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(digests)
      .values({ week, status: 'sending', figures: figures as unknown as Record<string, unknown> })
      .onConflictDoNothing({ target: digests.week })
      .returning({ id: digests.id })
    if (!created) return
    await tx.insert(digestDeliveries).values(recipients.map((r) => ({ digestId: created.id, recipient: r.address })))
  })
  return findDigest(deps.db, week)
}

/** Takes the delivery unless it is sent or another sender's claim is fresh. */
async function claim(deps: DigestSendDeps, digestId: string, recipient: string): Promise<boolean> {
  const timeoutMs = deps.claimTimeoutMs ?? CLAIM_TIMEOUT_MS
  // The database's clock for claims, so senders on different machines agree.
  const staleBefore = sql`now() - make_interval(secs => ${timeoutMs / 1000})`
  const claimed = await deps.db
    .update(digestDeliveries)
    .set({ claimedAt: sql`now()` })
    .where(
      and(
        eq(digestDeliveries.digestId, digestId),
        eq(digestDeliveries.recipient, recipient),
        ne(digestDeliveries.status, 'sent'),
        or(isNull(digestDeliveries.claimedAt), lt(digestDeliveries.claimedAt, staleBefore)),
      ),
    )
    .returning({ recipient: digestDeliveries.recipient })
  return claimed.length === 1
}

async function release(db: Db, digestId: string, recipient: string, error: string): Promise<void> {
  await db
    .update(digestDeliveries)
    .set({ status: 'failed', claimedAt: null, lastError: error.slice(0, 1000) })
    .where(and(eq(digestDeliveries.digestId, digestId), eq(digestDeliveries.recipient, recipient)))
}

async function markSentWhenComplete(db: Db, digestId: string): Promise<boolean> {
  const updated = await db
    .update(digests)
    .set({ status: 'sent', sentAt: new Date() })
    .where(
      and(
        eq(digests.id, digestId),
        sql`not exists (select 1 from digest_deliveries d where d.digest_id = ${digestId} and d.status <> 'sent')`,
      ),
    )
    .returning({ id: digests.id })
  if (updated.length === 1) return true
  const [row] = await db.select({ status: digests.status }).from(digests).where(eq(digests.id, digestId))
  return row?.status === 'sent'
}

/** Fixed per week and recipient: a repeated email is recognisably the same one. */
function messageId(baseUrl: string, week: string, recipient: string): string {
  const host = new URL(baseUrl).hostname || 'kept'
  const hash = createHash('sha256').update(`${week}\n${recipient.toLowerCase()}`).digest('hex').slice(0, 24)
  return `<digest.${week}.${hash}@${host}>`
}

function smtpError(error: unknown): string {
  const err = error as Error & { response?: string }
  return err.response ?? err.message ?? String(error)
}
