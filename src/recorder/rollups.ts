import { sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'

type Executor = Pick<Db, 'execute'>

const HOUR_MS = 3600_000

/** The start of the UTC hour holding `at`. */
export function hourOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS)
}

/**
 * Recompute the hourly rollups of [from, to) from the raw runs (one
 * promise, or all when promiseId is null). Recomputing rather than adding
 * keeps it exact (p50/p95 too) and safe to repeat. Percentiles and max
 * clicks leave out error runs, which measure us, not the journey.
 */
export async function refreshRollups(
  db: Executor,
  range: { promiseId: string | null; from: Date; to: Date },
): Promise<void> {
  const from = range.from.toISOString()
  const to = range.to.toISOString()
  const promiseFilter = range.promiseId === null ? sql`true` : sql`promise_id = ${range.promiseId}`
  await db.execute(sql`
    insert into run_rollups (promise_id, hour, runs, kept, at_risk, broken, errors, p50_ms, p95_ms, max_clicks)
    select promise_id,
           to_timestamp(floor(extract(epoch from started_at) / 3600) * 3600) as hour,
           count(*),
           count(*) filter (where outcome = 'kept'),
           count(*) filter (where outcome = 'at_risk'),
           count(*) filter (where outcome = 'broken'),
           count(*) filter (where outcome = 'error'),
           round(percentile_cont(0.5) within group (order by duration_ms) filter (where outcome <> 'error')),
           round(percentile_cont(0.95) within group (order by duration_ms) filter (where outcome <> 'error')),
           max(clicks) filter (where outcome <> 'error')
    from runs
    where ${promiseFilter} and started_at >= ${from}::timestamptz and started_at < ${to}::timestamptz
    group by 1, 2
    on conflict (promise_id, hour) do update set
      runs = excluded.runs, kept = excluded.kept, at_risk = excluded.at_risk, broken = excluded.broken,
      errors = excluded.errors, p50_ms = excluded.p50_ms, p95_ms = excluded.p95_ms, max_clicks = excluded.max_clicks
  `)
}

/** Refresh the rollup of the hour that holds `at` for one promise. */
export function refreshHour(db: Executor, promiseId: string, at: Date): Promise<void> {
  const from = hourOf(at)
  return refreshRollups(db, { promiseId, from, to: new Date(from.getTime() + HOUR_MS) })
}
