import { sql } from 'drizzle-orm'
import type { Redis } from 'ioredis'
import type { Db } from '../db/client.ts'
import { resolveChromium } from '../runner/browser-path.ts'

// A type, not an interface: the API takes it as a plain record.
export type HealthReport = {
  ok: boolean
  database: { ok: boolean; driver: string; error?: string }
  redis: { ok: boolean; error?: string }
  browser: { ok: boolean; path?: string; source?: string; error?: string }
}

/**
 * GET /api/v1/health: can Kept reach its database and Redis, and does this
 * host have a browser for journeys. Each probe is bounded, so a hung
 * dependency makes the answer "not ok", never a hung request.
 */
export function healthCheck(deps: { db: Db; driver: string; redis: Redis; env: { KEPT_CHROMIUM_PATH?: string } }) {
  return async (): Promise<HealthReport> => {
    const [database, redis] = await Promise.all([
      probe(() => deps.db.execute(sql`select 1`)),
      probe(() => deps.redis.ping()),
    ])
    const chromium = resolveChromium(deps.env)
    const browser = chromium
      ? { ok: true, path: chromium.path, source: chromium.source }
      : { ok: false, error: 'no Chromium found: set KEPT_CHROMIUM_PATH or run npm install' }
    return {
      ok: database.ok && redis.ok,
      database: { ...database, driver: deps.driver },
      redis,
      browser,
    }
  }
}

async function probe(check: () => Promise<unknown>, timeoutMs = 2000): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
      }),
    ])
    return { ok: true }
  } catch (error) {
    return { ok: false, error: (error as Error).message }
  } finally {
    clearTimeout(timer)
  }
}
