import { eq } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { users, type Role } from '../db/schema.ts'
import { hashPassword, verifyPassword } from './passwords.ts'

export type UserRow = typeof users.$inferSelect

export const MIN_PASSWORD_LENGTH = 8

/** Another user already has this email. */
export class EmailTakenError extends Error {
  constructor(readonly email: string) {
    super(`a user with email ${email} already exists`)
    this.name = 'EmailTakenError'
  }
}

/** Emails are compared without case or surrounding spaces. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

export async function createUser(
  db: Db,
  input: { email: string; password: string; role: Role; name?: string | null },
): Promise<UserRow> {
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new RangeError(`password: expected at least ${MIN_PASSWORD_LENGTH} characters`)
  }
  const email = normalizeEmail(input.email)
  const passwordHash = await hashPassword(input.password)
  const [row] = await db
    .insert(users)
    .values({ email, name: input.name ?? null, role: input.role, passwordHash })
    .onConflictDoNothing({ target: users.email })
    .returning()
  if (!row) throw new EmailTakenError(email)
  return row
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | null> {
  const [row] = await db.select().from(users).where(eq(users.email, normalizeEmail(email))).limit(1)
  return row ?? null
}

// Verified when the user does not exist, so a wrong email costs as much time
// as a wrong password and does not tell which emails have accounts.
let decoyHash: Promise<string> | undefined

/** The user if the email and password match an enabled account, else null. */
export async function authenticateUser(db: Db, email: string, password: string): Promise<UserRow | null> {
  const user = await findUserByEmail(db, email)
  if (!user || !user.passwordHash || user.disabledAt) {
    decoyHash ??= hashPassword('kept decoy password')
    await verifyPassword(password, await decoyHash)
    return null
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : null
}

/**
 * The first admin from KEPT_ADMIN_EMAIL and KEPT_ADMIN_PASSWORD: created when
 * both are set and no user has that email yet; an existing user is left as is
 * (its password is never reset from the environment).
 */
export async function ensureAdminFromEnv(
  db: Db,
  env: { KEPT_ADMIN_EMAIL?: string; KEPT_ADMIN_PASSWORD?: string },
): Promise<{ created: boolean; email: string } | null> {
  if (!env.KEPT_ADMIN_EMAIL || !env.KEPT_ADMIN_PASSWORD) return null
  const email = normalizeEmail(env.KEPT_ADMIN_EMAIL)
  if (await findUserByEmail(db, email)) return { created: false, email }
  try {
    await createUser(db, { email, password: env.KEPT_ADMIN_PASSWORD, role: 'admin' })
    return { created: true, email }
  } catch (error) {
    // Another process started at the same time and created it first.
    if (error instanceof EmailTakenError) return { created: false, email }
    throw error
  }
}
