import path from 'node:path'
import { parseEnv } from '../../config/env.ts'
import { openDatabase } from '../../db/open.ts'
import type { Role } from '../../db/schema.ts'
import { createApiToken } from '../../auth/tokens.ts'

/** Prints a new API token once; only its hash is stored. */
export async function tokenCreateCommand(opts: { role: Role; name: string }): Promise<void> {
  const env = parseEnv()
  const database = await openDatabase({ ...env, KEPT_DATA_DIR: path.resolve(env.KEPT_DATA_DIR) }, { role: 'client' })
  try {
    await database.migrate()
    const { token } = await createApiToken(database.db, { name: opts.name, role: opts.role })
    process.stdout.write(`${token}\n`)
    process.stderr.write(`Token "${opts.name}" (${opts.role}) created. It is shown only this once.\n`)
  } finally {
    await database.close()
  }
}
