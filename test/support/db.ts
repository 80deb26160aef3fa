import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { afterAll, beforeAll } from 'vitest'
import { openPostgres, type Database } from '../../src/db/client.ts'
import { clusterPrefix } from '../../src/config/redis-cluster.ts'
import { onRedisCluster } from './redis.ts'

export const ADMIN_DATABASE_URL = process.env.KEPT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/**
 * A fresh, migrated Postgres database for one test file. Call in
 * beforeAll and `await drop()` in afterAll.
 */
export async function freshDatabase(): Promise<Database & { url: string; drop(): Promise<void> }> {
  const name = `kept_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  const url = new URL(ADMIN_DATABASE_URL)
  url.pathname = `/${name}`
  const database = openPostgres(url.toString(), { max: 5 })
  await database.migrate()
  return {
    ...database,
    url: url.toString(),
    async drop() {
      await database.close()
      const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} })
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    },
  }
}

/** A unique BullMQ prefix so tests never collide with each other or a running Kept; hash-tagged on a cluster, as Kept's own. */
export function uniquePrefix(label = 'test'): string {
  const prefix = `kept-test-${label}-${randomBytes(4).toString('hex')}`
  return onRedisCluster ? clusterPrefix(prefix) : prefix
}

/** freshDatabase for the tests of one describe block: made before them, dropped after. */
export function useFreshDatabase(): Awaited<ReturnType<typeof freshDatabase>> {
  const holder = {} as Awaited<ReturnType<typeof freshDatabase>>
  beforeAll(async () => {
    Object.assign(holder, await freshDatabase())
  })
  afterAll(async () => {
    await holder.drop?.()
  })
  return holder
}
