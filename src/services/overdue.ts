import { and, inArray, isNull, isNotNull } from 'drizzle-orm'
import type { Transporter } from 'nodemailer'
import type { Db } from '../db/client.ts'
import { promises } from '../db/schema.ts'
import { noWalkSince, overdueAt, type WalkSchedule } from '../domain/overdue.ts'
import type { Logger } from '../infra/logger.ts'
import { keepInOutbox } from '../notify/outbox.ts'
import { repeatFor } from '../queue/scheduler.ts'

export interface OverdueDeps {
  db: Db
  /** KEPT_TIMEZONE: the zone of cron schedules that name none. */
  timezone: string
  baseUrl: string
  mailer: { transport: Transporter; configured: boolean; from: string }
  logger?: Logger
  now?: () => Date
}

export interface OverdueReport {
  /** Promises that became overdue in this pass. */
  became: number
  /** Overdue promises whose schedule no longer expects the missed walks (changed, paused). */
  cleared: number
  /** Emails written to tech owners (sent, or kept in the outbox). */
  told: number
}

/**
 * Mark promises no walk reached for two of their intervals as overdue, and
 * tell each tech owner once, in one email for all of theirs. The next walk
 * clears the mark (the recorder), and so does a schedule that no longer
 * expects the missed walks. The update's `overdue_since is null` makes one
 * process the teller when several run this.
 */
export async function markOverdue(deps: OverdueDeps): Promise<OverdueReport> {
  const { db } = deps
  const now = deps.now?.() ?? new Date()
  const rows = await db
    .select({
      id: promises.id,
      paused: promises.paused,
      scheduleEverySeconds: promises.scheduleEverySeconds,
      scheduleCron: promises.scheduleCron,
      scheduleTimezone: promises.scheduleTimezone,
      lastRunAt: promises.lastRunAt,
      updatedAt: promises.updatedAt,
      overdueSince: promises.overdueSince,
    })
    .from(promises)
  const became: string[] = []
  const cleared: string[] = []
  for (const row of rows) {
    const repeat = row.paused ? null : repeatFor(row, deps.timezone)
    const schedule: WalkSchedule | null = repeat ? ('every' in repeat ? { everyMs: repeat.every } : repeat) : null
    const due = schedule ? overdueAt(schedule, noWalkSince(row.lastRunAt, row.updatedAt)) : null
    const overdue = due !== null && due <= now
    if (overdue && !row.overdueSince) became.push(row.id)
    if (!overdue && row.overdueSince) cleared.push(row.id)
  }
  if (cleared.length > 0) {
    await db.update(promises).set({ overdueSince: null }).where(and(inArray(promises.id, cleared), isNotNull(promises.overdueSince)))
  }
  const marked =
    became.length === 0
      ? []
      : await db
          .update(promises)
          .set({ overdueSince: now })
          .where(and(inArray(promises.id, became), isNull(promises.overdueSince)))
          .returning({ id: promises.id, title: promises.title, techOwner: promises.techOwner, lastRunAt: promises.lastRunAt })
  if (marked.length > 0) deps.logger?.warn({ promises: marked.map((p) => p.id) }, `${marked.length} promise(s) overdue: no walk for two intervals`)
  const told = await tellOwners(deps, marked)
  return { became: marked.length, cleared: cleared.length, told }
}

type OverduePromise = { id: string; title: string; techOwner: string | null; lastRunAt: Date | null }

async function tellOwners(deps: OverdueDeps, overdue: OverduePromise[]): Promise<number> {
  const byOwner = new Map<string, OverduePromise[]>()
  for (const p of overdue) {
    const owner = p.techOwner?.trim()
    if (!owner) {
      deps.logger?.warn({ promiseId: p.id }, 'an overdue promise with no tech owner to tell')
      continue
    }
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), p])
  }
  for (const [owner, list] of byOwner) {
    const mail = overdueMail(deps.baseUrl, list)
    if (deps.mailer.configured) {
      try {
        await deps.mailer.transport.sendMail({ from: deps.mailer.from, to: owner, subject: mail.subject, text: mail.text })
      } catch (error) {
        deps.logger?.error({ err: error, to: owner }, 'overdue email not sent')
      }
    } else {
      await keepInOutbox(deps.db, { kind: 'overdue', to: [owner], subject: mail.subject, text: mail.text, promiseId: list[0]!.id, promiseTitle: list[0]!.title }, deps.logger)
    }
  }
  return byOwner.size
}

export function overdueMail(baseUrl: string, list: OverduePromise[]): { subject: string; text: string } {
  const subject =
    list.length === 1
      ? `Kept: "${list[0]!.title}" is not being walked`
      : `Kept: ${list.length} promises are not being walked`
  const lines = list.map((p) => `- ${p.title} (last walked ${p.lastRunAt ? p.lastRunAt.toISOString() : 'never'}): ${baseUrl}/promises/${p.id}`)
  const text = [
    'No walk came for two of their intervals, so Kept cannot say these promises are kept:',
    '',
    ...lines,
    '',
    'Usually no journey worker is running (kept worker), or Redis lost its data and Kept is restoring the schedules.',
    `Health: ${baseUrl}/api/v1/health`,
    '',
    'You hear of this once; the next walk clears it.',
  ].join('\n')
  return { subject, text }
}
