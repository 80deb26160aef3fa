import { sql } from 'drizzle-orm'
import type { RedisClient } from '../infra/redis.ts'
import type { Db } from '../db/client.ts'
import { resolveChromium } from '../runner/browser-path.ts'
import type { ScheduleCounts } from '../queue/scheduler.ts'

// A type, not an interface: the API takes it as a plain record.
export type HealthReport = {
  ok: boolean
  database: { ok: boolean; driver: string; error?: string }
  redis: { ok: boolean; error?: string }
  browser: { ok: boolean; path?: string; source?: string; error?: string }
  /** Promise schedulers Postgres expects and Redis holds: they differ for a moment after Redis lost its data. */
  schedules: { ok: boolean; expected?: number; present?: number; error?: string }
}

/**
 * GET /api/v1/health: can Kept reach its database and Redis, and does this
 * host have a browser for journeys. Each probe is bounded, so a hung
 * dependency makes the answer "not ok", never a hung request.
 */
export function healthCheck(deps: {
  db: Db
  driver: string
  redis: RedisClient
  env: { KEPT_CHROMIUM_PATH?: string }
  schedules?: () => Promise<ScheduleCounts>
}) {
  return async (): Promise<HealthReport> => {
    let counts: ScheduleCounts | undefined
    const [database, redis, schedules] = await Promise.all([
      probe(() => deps.db.execute(sql`select 1`)),
      probe(() => deps.redis.ping()),
      deps.schedules ? probe(async () => void (counts = await deps.schedules!())) : Promise.resolve({ ok: true }),
    ])
    const chromium = resolveChromium(deps.env)
    const browser = chromium
      ? { ok: true, path: chromium.path, source: chromium.source }
      : { ok: false, error: 'no Chromium found: set KEPT_CHROMIUM_PATH or run npm install' }
    const schedulesOk = schedules.ok && (!counts || counts.expected === counts.present)
    return {
      ok: database.ok && redis.ok && schedulesOk,
      database: { ...database, driver: deps.driver },
      redis,
      browser,
      schedules: { ...schedules, ok: schedulesOk, ...counts },
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
