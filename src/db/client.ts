import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import postgres from 'postgres'
import type { PGlite } from '@electric-sql/pglite'
import * as schema from './schema.ts'

export type Db = PgDatabase<PgQueryResultHKT, typeof schema> & { $client?: unknown }

export const migrationsFolder = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../drizzle',
)

export interface Database {
  db: Db
  driver: 'postgres' | 'pglite'
  migrate(): Promise<void>
  close(): Promise<void>
}

/** `path`: a Unix socket to connect through instead of the URL's host (a shared embedded PGlite). */
export function openPostgres(url: string, options: { max?: number; path?: string } = {}): Database {
  const socket = options.path ? { path: options.path } : {}
  const client = postgres(url, {
    ...socket,
    max: options.max ?? 10,
    // A stopped or unreachable database fails a request in seconds (a 503), not after postgres.js's 30 s.
    connect_timeout: 5,
    // postgres.js waits up to 20 s between reconnects after repeated failures,
    // and every query meanwhile waits with it; at most 1 s keeps a 503 quick.
    backoff: (retries: number) => Math.min(0.1 * retries, 1),
    onnotice: () => {},
    connection: { application_name: 'kept' },
  })
  const db = drizzlePostgres(client, { schema, casing: 'snake_case' }) as unknown as Db
  return {
    db,
    driver: 'postgres',
    // Concurrent starts are serialised by an advisory lock held on one
    // dedicated connection for the whole migration.
    async migrate() {
      const single = postgres(url, { ...socket, max: 1, onnotice: () => {} })
      try {
        await single`select pg_advisory_lock(7343122)`
        await migratePostgres(drizzlePostgres(single, { casing: 'snake_case' }), { migrationsFolder })
      } finally {
        await single.end({ timeout: 5 })
      }
    },
    close: () => client.end({ timeout: 5 }),
  }
}

export function wrapPglite(client: PGlite): Database {
  const db = drizzlePglite(client, { schema, casing: 'snake_case' }) as unknown as Db
  return {
    db,
    driver: 'pglite',
    migrate: () => migratePglite(drizzlePglite(client, { casing: 'snake_case' }), { migrationsFolder }),
    close: () => client.close(),
  }
}
