import { and, eq, gt, isNull, lte } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { sessions, users } from '../db/schema.ts'
import { randomSecret, sha256 } from './hash.ts'
import type { Principal } from './permissions.ts'

// Sign-in sessions for the pages. The cookie holds a random value; the
// database holds only its sha256, with the session's CSRF token.

export const SESSION_COOKIE = 'kept_session'
export const SESSION_DAYS = 14

export async function createSession(
  db: Db,
  userId: string,
  now = new Date(),
): Promise<{ cookieValue: string; csrfToken: string; expiresAt: Date }> {
  const cookieValue = randomSecret(32)
  const csrfToken = randomSecret(32)
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000)
  await db.insert(sessions).values({ tokenHash: sha256(cookieValue), userId, csrfToken, expiresAt })
  // Expired sessions of this user are swept as new ones are made.
  await db.delete(sessions).where(and(eq(sessions.userId, userId), lte(sessions.expiresAt, now)))
  return { cookieValue, csrfToken, expiresAt }
}

/** The session's principal and CSRF token; null when unknown, expired, or the user is disabled. */
export async function loadSession(
  db: Db,
  cookieValue: string,
  now = new Date(),
): Promise<{ principal: Principal; csrfToken: string } | null> {
  if (!cookieValue) return null
  const [row] = await db
    .select({ csrfToken: sessions.csrfToken, userId: users.id, email: users.email, role: users.role })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, sha256(cookieValue)), gt(sessions.expiresAt, now), isNull(users.disabledAt)))
    .limit(1)
  if (!row) return null
  return {
    principal: { kind: 'session', userId: row.userId, name: row.email, role: row.role },
    csrfToken: row.csrfToken,
  }
}

export async function deleteSession(db: Db, cookieValue: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, sha256(cookieValue)))
}

/** The sign-in page, coming back to `requestUrl` (its path and query) once signed in. */
export function signInPath(requestUrl: string): string {
  const url = new URL(requestUrl)
  return `/login?next=${encodeURIComponent(url.pathname + url.search)}`
}
