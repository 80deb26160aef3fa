import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import type { Logger } from '../infra/logger.ts'
import { maskUrl, StartupError } from '../infra/startup-error.ts'
import { openPostgres, wrapPglite, type Database } from './client.ts'
import { acquireLock, isAlive, type HeldLock, type LockInfo } from './pglite-lock.ts'
import { sharePglite } from './pglite-share.ts'

export type OpenDatabase = Database & {
  /** True when the data lives in the embedded PGlite under KEPT_DATA_DIR (opened here or reached through its holder). */
  embedded: boolean
  /** For logs: where the data is, passwords masked. */
  describe: string
}

export interface OpenDatabaseOptions {
  /** server: shares the embedded database with other processes while it runs. client: a short CLI command. */
  role: 'server' | 'client'
  logger?: Logger
  /** How long to wait for another process to release the embedded database (default 30 s). */
  waitMs?: number
}

/**
 * Postgres when DATABASE_URL is set, else the embedded PGlite in
 * `<dataDir>/pgdata`. Only one process opens that directory; any other
 * reaches it through the Unix socket the holding server shares it on.
 */
export async function openDatabase(
  env: { DATABASE_URL?: string; KEPT_DATA_DIR: string },
  options: OpenDatabaseOptions,
): Promise<OpenDatabase> {
  if (env.DATABASE_URL) return openExternal(env.DATABASE_URL)

  const dataDir = path.resolve(env.KEPT_DATA_DIR)
  const pgdata = path.join(dataDir, 'pgdata')
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const lockFile = path.join(dataDir, 'pgdata.lock')
  const deadline = Date.now() + (options.waitMs ?? 30_000)
  let waitingLogged = false

  for (;;) {
    const lock = await acquireLock(lockFile)
    if ('release' in lock) return openEmbedded(pgdata, dataDir, lock, options)
    if (lock.socket) {
      const shared = await connectShared(lock, pgdata)
      if (shared) return shared
    }
    if (Date.now() > deadline) {
      throw new StartupError(
        null,
        `the embedded database in ${pgdata} is in use by process ${lock.pid}, which does not share it`,
        'Wait for that kept command to finish, or stop it, then try again.',
      )
    }
    if (!waitingLogged) {
      options.logger?.info({ pid: lock.pid, pgdata }, 'waiting for another kept process to release the embedded database')
      waitingLogged = true
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function openExternal(url: string): Promise<OpenDatabase> {
  const database = openPostgres(url)
  const describe = `Postgres at ${maskUrl(url)}`
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      database.db.execute(sql`select 1`),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000)
      }),
    ])
  } catch (error) {
    await database.close().catch(() => {})
    throw new StartupError(
      'DATABASE_URL',
      `cannot reach ${describe}: ${(error as Error).message}`,
      'Check that Postgres runs and that the host, port, database, user and password in DATABASE_URL are right, or unset DATABASE_URL to use the embedded database.',
    )
  } finally {
    clearTimeout(timer)
  }
  return { ...database, embedded: false, describe }
}

async function openEmbedded(pgdata: string, dataDir: string, lock: HeldLock, options: OpenDatabaseOptions): Promise<OpenDatabase> {
  let pglite: PGlite
  try {
    pglite = await PGlite.create(pgdata)
  } catch (error) {
    await lock.release()
    throw new StartupError(null, `cannot open the embedded database in ${pgdata}: ${(error as Error).message}`, 'Check that KEPT_DATA_DIR is writable, or set DATABASE_URL to use Postgres.')
  }
  const database = wrapPglite(pglite)
  let stopSharing = async () => {}
  let describe = `embedded PGlite in ${pgdata}`
  if (options.role === 'server') {
    const share = await sharePglite(pglite, path.join(dataDir, 'pglite.sock'))
    await lock.publish(share.socketPath)
    stopSharing = share.stop
    describe += `, shared on ${share.socketPath}`
  }
  let closing: Promise<void> | null = null
  return {
    ...database,
    embedded: true,
    describe,
    close: () =>
      (closing ??= (async () => {
        try {
          await stopSharing()
          await database.close()
        } finally {
          await lock.release()
        }
      })()),
  }
}

/** Connects through the holder's socket; null when it does not answer (it is stopping or gone). */
async function connectShared(lock: LockInfo, pgdata: string): Promise<OpenDatabase | null> {
  if (!lock.socket || !isAlive(lock.pid)) return null
  // PGlite serves one statement at a time: a few connections only queue there.
  const database = openPostgres('postgres://postgres@localhost/postgres', { path: lock.socket, max: 2 })
  try {
    await database.db.execute(sql`select 1`)
  } catch {
    await database.close().catch(() => {})
    return null
  }
  return { ...database, embedded: true, describe: `embedded PGlite in ${pgdata}, through process ${lock.pid}` }
}
