import { and, eq, isNull, lt, or } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { apiTokens, users, type Role } from '../db/schema.ts'
import { randomSecret, sha256 } from './hash.ts'
import type { Principal } from './permissions.ts'
import { forgetTokens } from './token-cache.ts'

// API tokens: `kept_<43 characters>`, shown once. Only the sha256 and the
// first characters (to tell tokens apart in lists) are stored.

const TOKEN_PREFIX = 'kept_'
const SHOWN_PREFIX_LENGTH = TOKEN_PREFIX.length + 6
/** lastUsedAt is written at most this often, so busy tokens do not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000

export async function createApiToken(
  db: Db,
  input: { name: string; role: Role; userId?: string | null },
): Promise<{ id: string; token: string }> {
  const token = TOKEN_PREFIX + randomSecret(32)
  const [row] = await db
    .insert(apiTokens)
    .values({
      name: input.name,
      role: input.role,
      userId: input.userId ?? null,
      tokenHash: sha256(token),
      prefix: token.slice(0, SHOWN_PREFIX_LENGTH),
    })
    .returning({ id: apiTokens.id })
  return { id: row!.id, token }
}

/** The principal of a valid token; null when unknown, revoked, or its user is disabled. */
export async function findToken(db: Db, token: string, now = new Date()): Promise<Principal | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null
  const [row] = await db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      role: apiTokens.role,
      userId: apiTokens.userId,
      lastUsedAt: apiTokens.lastUsedAt,
      userDisabledAt: users.disabledAt,
    })
    .from(apiTokens)
    .leftJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, sha256(token)), isNull(apiTokens.revokedAt)))
    .limit(1)
  if (!row || row.userDisabledAt) return null
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS)
    await db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(apiTokens.id, row.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, staleBefore))))
  }
  return { kind: 'token', userId: row.userId, name: row.name, role: row.role }
}

export async function revokeApiToken(db: Db, id: string, now = new Date()): Promise<boolean> {
  const rows = await db
    .update(apiTokens)
    .set({ revokedAt: now })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id })
  forgetTokens(db)
  return rows.length > 0
}
