import { and, eq, inArray, isNull } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { users, type Role } from '../db/schema.ts'

/**
 * Who gets the digest: both owners' sides (marketing and tech) and admins,
 * who run Kept and answer for it; viewers only when listed in
 * KEPT_DIGEST_TO. Each user can unsubscribe; disabled users get nothing.
 */
export const DIGEST_ROLES: readonly Role[] = ['marketing', 'tech', 'admin']

export interface Recipient {
  address: string
  /** Set for a user: their unsubscribe link is signed over it. null for a KEPT_DIGEST_TO address. */
  userId: string | null
}

/** Users of the digest roles who have not opted out, then the extra addresses not already among them. */
export async function digestRecipients(db: Db, extraRecipients: readonly string[]): Promise<Recipient[]> {
  const rows = await db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(and(inArray(users.role, [...DIGEST_ROLES]), eq(users.digestOptOut, false), isNull(users.disabledAt)))
    .orderBy(users.email)
  const recipients: Recipient[] = rows.map((row) => ({ address: row.email, userId: row.id }))
  const seen = new Set(recipients.map((r) => r.address.toLowerCase()))
  for (const address of extraRecipients) {
    if (seen.has(address.toLowerCase())) continue
    seen.add(address.toLowerCase())
    recipients.push({ address, userId: null })
  }
  return recipients
}

/**
 * The user whose unsubscribe link goes in the email to each address: none
 * for a KEPT_DIGEST_TO address, since unsubscribing would not stop it.
 * Recipients are fixed when a week's digest is recorded; an unsubscribe
 * counts from the next week's.
 */
export async function unsubscribeUsers(
  db: Db,
  addresses: readonly string[],
  extraRecipients: readonly string[],
): Promise<Map<string, string>> {
  const extras = new Set(extraRecipients.map((a) => a.toLowerCase()))
  const wanted = addresses.filter((a) => !extras.has(a.toLowerCase()))
  if (wanted.length === 0) return new Map()
  const rows = await db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.email, wanted))
  return new Map(rows.map((row) => [row.email, row.id]))
}
