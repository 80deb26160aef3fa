import { inArray } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { promises, secrets } from '../db/schema.ts'
import { traceScheduledRuns } from '../domain/evidence.ts'
import type { JourneySpec } from './jobs.ts'

export type PromiseRow = typeof promises.$inferSelect

const SECRET_REFERENCE = /\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}/g

/** Names of the secrets a journey text references. */
export function referencedSecrets(journey: string): string[] {
  return [...new Set([...journey.matchAll(SECRET_REFERENCE)].map((m) => m[1]!))]
}

/**
 * The job spec of a promise. `encryptedSecrets` maps secret names to their
 * stored (still encrypted) values: a plain-language journey carries only
 * the ones it references; a code check, whose references cannot be read
 * from text, carries them all. Workers decrypt.
 */
export function specFromRow(row: PromiseRow, encryptedSecrets: ReadonlyMap<string, string>): JourneySpec {
  const names = row.checkFile ? [...encryptedSecrets.keys()].sort() : referencedSecrets(row.journey)
  const carried: Record<string, string> = {}
  for (const name of names) {
    const value = encryptedSecrets.get(name)
    if (value !== undefined) carried[name] = value
  }
  return {
    promiseId: row.id,
    title: row.title,
    journey: row.checkFile ? null : row.journey,
    checkFile: row.checkFile,
    budgets: row.budgets,
    device: row.device,
    secrets: carried,
    traceScheduled: traceScheduledRuns(row),
    ...(row.claimUrl ? { claimUrl: row.claimUrl } : {}),
  }
}

/** The spec of one promise, reading the secrets it needs. */
export async function buildSpec(db: Db, row: PromiseRow): Promise<JourneySpec> {
  return specFromRow(row, await loadSecrets(db, row.checkFile ? null : referencedSecrets(row.journey)))
}

/** Encrypted secret values by name: the named ones, or all of them (null). */
export async function loadSecrets(db: Db, names: string[] | null): Promise<Map<string, string>> {
  if (names !== null && names.length === 0) return new Map()
  const query = db.select({ name: secrets.name, value: secrets.valueEncrypted }).from(secrets)
  const rows = names === null ? await query : await query.where(inArray(secrets.name, names))
  return new Map(rows.map((r) => [r.name, r.value]))
}
