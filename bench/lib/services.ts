import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import postgres from 'postgres'
import { openPostgres, type Database } from '../../src/db/client.ts'

// Each benchmark gets its own Postgres database and BullMQ prefix, dropped
// at the end, so it never touches a running Kept or the tests.

export const ADMIN_DATABASE_URL = process.env.KEPT_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

export type BenchDatabase = Database & { url: string; name: string; drop(): Promise<void> }

/** Databases not yet dropped: a benchmark stopped by SIGTERM or SIGINT (npm run bench's limit, Ctrl-C) drops them first. */
const open = new Set<BenchDatabase>()
let handling = false
function dropOnSignal(): void {
  if (handling) return
  handling = true
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const exit = () => process.exit(signal === 'SIGTERM' ? 143 : 130)
      setTimeout(exit, 10_000).unref()
      Promise.allSettled([...open].map((database) => database.drop())).then(exit)
    })
  }
}

export async function benchDatabase(label: string, options: { max?: number } = {}): Promise<BenchDatabase> {
  dropOnSignal()
  const name = `kept_bench_${label.replace(/\W/g, '_')}_${randomBytes(3).toString('hex')}`
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  const url = new URL(ADMIN_DATABASE_URL)
  url.pathname = `/${name}`
  const database = openPostgres(url.toString(), { max: options.max ?? 10 })
  await database.migrate()
  const bench: BenchDatabase = {
    ...database,
    url: url.toString(),
    name,
    async drop() {
      open.delete(bench)
      await database.close().catch(() => {})
      const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} })
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    },
  }
  open.add(bench)
  return bench
}

export function benchPrefix(label: string): string {
  return `kept-bench-${label}-${randomBytes(3).toString('hex')}`
}

/** Delete every Redis key under a prefix (what a whole control plane left there). */
export async function deletePrefix(connection: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await connection.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
    if (keys.length > 0) await connection.del(...keys)
    cursor = next
  } while (cursor !== '0')
}
