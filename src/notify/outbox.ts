import type { Db } from '../db/client.ts'
import { outbox, type OutboxKind } from '../db/schema.ts'
import type { Logger } from '../infra/logger.ts'

// Email Kept wrote but could not send because SMTP_URL is not set. It is
// not an error: it is kept here, shown on the Alerts page and its break,
// and logged, so the demo's alerts reach someone with no set-up.

export const NOT_SENT_REASON = 'not sent: SMTP_URL is not set'

export interface UnsentMail {
  kind: OutboxKind
  to: string[]
  subject: string
  text: string
  html?: string | null
  deliveryKey?: string | null
  breakId?: string | null
  promiseId?: string | null
  promiseTitle?: string | null
}

export async function keepInOutbox(db: Pick<Db, 'insert'>, mail: UnsentMail, logger?: Logger): Promise<void> {
  await db.insert(outbox).values({
    kind: mail.kind,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html ?? null,
    reason: NOT_SENT_REASON,
    deliveryKey: mail.deliveryKey ?? null,
    breakId: mail.breakId ?? null,
    promiseId: mail.promiseId ?? null,
    promiseTitle: mail.promiseTitle ?? null,
  })
  logger?.info({ to: mail.to, subject: mail.subject, kind: mail.kind }, `email kept in the outbox (Alerts page): ${NOT_SENT_REASON}`)
}
