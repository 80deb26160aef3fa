import type { Db } from '../db/client.ts'
import { secrets } from '../db/schema.ts'
import { decrypt } from '../infra/crypto.ts'

/** Every secret, decrypted, by name: a builder session types them as a walk does. */
export function secretLoader(db: Db, secretKey: Buffer): () => Promise<Record<string, string>> {
  return async () => {
    const rows = await db.select({ name: secrets.name, value: secrets.valueEncrypted }).from(secrets)
    return Object.fromEntries(rows.map((row) => [row.name, decrypt(secretKey, row.value)]))
  }
}
