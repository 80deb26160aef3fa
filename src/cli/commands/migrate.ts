import path from 'node:path'
import { parseEnv } from '../../config/env.ts'
import { openDatabase } from '../../db/open.ts'

export async function migrateCommand(): Promise<void> {
  const env = parseEnv()
  const database = await openDatabase({ ...env, KEPT_DATA_DIR: path.resolve(env.KEPT_DATA_DIR) }, { role: 'client' })
  try {
    await database.migrate()
    process.stdout.write(`migrations applied (${database.describe})\n`)
  } finally {
    await database.close()
  }
}
