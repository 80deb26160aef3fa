import { asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { promises, secrets } from '../db/schema.ts'
import { encrypt } from '../infra/crypto.ts'
import type { PromiseScheduler } from '../queue/scheduler-port.ts'
import { referencedSecrets } from '../queue/spec.ts'

// Secrets for every door (the API and the Secrets page): values written
// encrypted and never read back; the schedules of the promises that use
// one are refreshed, since a job carries its secrets.

export const SECRET_NAME = /^[A-Za-z0-9_]{1,100}$/
export const SECRET_NAME_RULE = 'expected letters, digits and _ (as in {{secrets.SHOP_USER}})'
export const MAX_SECRET_LENGTH = 10_000

export async function setSecret(db: Db, key: Buffer, scheduler: PromiseScheduler, name: string, value: string) {
  const valueEncrypted = encrypt(key, value)
  const [row] = await db
    .insert(secrets)
    .values({ name, valueEncrypted })
    .onConflictDoUpdate({ target: secrets.name, set: { valueEncrypted, updatedAt: sql`now()` } })
    .returning()
  await resyncUsers(db, scheduler, name)
  return row!
}

/** false when there was no such secret. */
export async function deleteSecret(db: Db, scheduler: PromiseScheduler, name: string): Promise<boolean> {
  const deleted = await db.delete(secrets).where(eq(secrets.name, name)).returning({ name: secrets.name })
  if (deleted.length === 0) return false
  await resyncUsers(db, scheduler, name)
  return true
}

/** Every secret name with the promises whose journey names it. Code checks get all secrets: they are not listed. */
export async function secretsWithUsers(db: Db) {
  const [rows, users] = await Promise.all([
    db.select({ name: secrets.name, updatedAt: secrets.updatedAt }).from(secrets).orderBy(asc(secrets.name)),
    db.select({ id: promises.id, title: promises.title, journey: promises.journey }).from(promises),
  ])
  const named = users.map((p) => ({ id: p.id, title: p.title, names: referencedSecrets(p.journey) }))
  const usersOf = (name: string) => named.filter((p) => p.names.includes(name)).map(({ id, title }) => ({ id, title }))
  const known = new Set(rows.map((r) => r.name))
  const missing = [...new Set(named.flatMap((p) => p.names))].filter((name) => !known.has(name)).sort()
  return {
    secrets: rows.map((row) => ({ ...row, usedBy: usersOf(row.name) })),
    /** Names journeys use that nobody set: their walks are errors until they are. */
    missing: missing.map((name) => ({ name, usedBy: usersOf(name) })),
  }
}

async function resyncUsers(db: Db, scheduler: PromiseScheduler, name: string): Promise<void> {
  const rows = await db
    .select({ id: promises.id, journey: promises.journey, checkFile: promises.checkFile })
    .from(promises)
    .where(eq(promises.paused, false))
  const users = rows.filter((r) => r.checkFile !== null || referencedSecrets(r.journey).includes(name))
  for (const row of users) await scheduler.sync(row.id)
}
