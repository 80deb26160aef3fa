import { randomBytes } from 'node:crypto'
import os from 'node:os'
import { Hono } from 'hono'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import type { createApiApp } from '../../src/api/app.ts'
import type { createReadCache } from '../../src/api/read-cache.ts'
import type { createHttpApp } from '../../src/app/http.ts'
import type { Db } from '../../src/db/client.ts'
import type { createLogger } from '../../src/infra/logger.ts'
import { pageRoutes } from '../../src/ui/app.tsx'

/** The modules Kept's HTTP app is built from: this tree's, or another's for an A/B (bench/api-ab.ts). */
export interface ApiModules {
  createApiApp: typeof createApiApp
  createReadCache: typeof createReadCache
  createHttpApp: typeof createHttpApp
  createLogger: typeof createLogger
}

/** A scheduler that schedules nothing: the benchmarks read, they never save a promise. */
export const NO_SCHEDULER = { sync: async () => {}, remove: async () => {}, runNow: async () => 'none' } as never

/** Kept's signed-in pages (the dashboard, a promise's page) on `db`, with nothing to walk. */
export function benchPages(db: Db) {
  return pageRoutes({
    db,
    scheduler: NO_SCHEDULER,
    tryJourney: async () => {
      throw new Error('not in this benchmark')
    },
    dataDir: os.tmpdir(),
  })
}

/**
 * Kept's HTTP app serving the API alone, as production builds it: the
 * production logger (its redaction on) written to /dev/null, the read cache
 * renewed every `cacheMs`, a scheduler that does nothing.
 */
export function benchApiApp(m: ApiModules, db: Db, cacheMs = 1000): Hono {
  const logger = m.createLogger({ LOG_LEVEL: 'info' }, undefined, pino.destination({ dest: os.devNull, sync: false }))
  const readCache = m.createReadCache({ ttlMs: cacheMs })
  const api = m.createApiApp({
    db,
    scheduler: NO_SCHEDULER,
    secretKey: randomBytes(32),
    dataDir: os.tmpdir(),
    health: async () => ({ ok: true }),
    testChannel: async () => {},
    previewDigest: async () => ({}),
    readCache,
    logger,
  } as Parameters<typeof createApiApp>[0])
  return m.createHttpApp({ logger, api, digests: new Hono(), pages: new Hono(), metrics: new Registry(), readCaches: [readCache], fastReads: { db, readCache } } as Parameters<typeof createHttpApp>[0])
}
