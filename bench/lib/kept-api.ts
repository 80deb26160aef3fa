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

/** The modules Kept's HTTP app is built from: this tree's, or another's for an A/B (bench/api-ab.ts). */
export interface ApiModules {
  createApiApp: typeof createApiApp
  createReadCache: typeof createReadCache
  createHttpApp: typeof createHttpApp
  createLogger: typeof createLogger
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
    scheduler: { sync: async () => {}, remove: async () => {}, runNow: async () => 'none' } as never,
    secretKey: randomBytes(32),
    dataDir: os.tmpdir(),
    health: async () => ({ ok: true }),
    testChannel: async () => {},
    previewDigest: async () => ({}),
    readCache,
    logger,
  } as Parameters<typeof createApiApp>[0])
  return m.createHttpApp({ logger, api, digests: new Hono(), pages: new Hono(), metrics: new Registry(), readCaches: [readCache] } as Parameters<typeof createHttpApp>[0])
}
