import { sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'

type Executor = Pick<Db, 'execute'>

const HOUR_MS = 3600_000

/** The start of the UTC hour holding `at`. */
export function hourOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS)
}

// The figures of one rollup row from the runs `r` of one group. Percentiles
// and max clicks leave out error runs, which measure us, not the journey.
const FIGURES = sql`count(*),
           count(*) filter (where r.outcome = 'kept'),
           count(*) filter (where r.outcome = 'at_risk'),
           count(*) filter (where r.outcome = 'broken'),
           count(*) filter (where r.outcome = 'error'),
           round(percentile_cont(0.5) within group (order by r.duration_ms) filter (where r.outcome <> 'error')),
           round(percentile_cont(0.95) within group (order by r.duration_ms) filter (where r.outcome <> 'error')),
           max(r.clicks) filter (where r.outcome <> 'error')`

const UPSERT = sql`on conflict (promise_id, hour) do update set
      runs = excluded.runs, kept = excluded.kept, at_risk = excluded.at_risk, broken = excluded.broken,
      errors = excluded.errors, p50_ms = excluded.p50_ms, p95_ms = excluded.p95_ms, max_clicks = excluded.max_clicks`

/**
 * Recompute the hourly rollups of [from, to) from the raw runs (one
 * promise, or all when promiseId is null). Recomputing rather than adding
 * keeps it exact (p50/p95 too) and safe to repeat.
 */
export async function refreshRollups(
  db: Executor,
  range: { promiseId: string | null; from: Date; to: Date },
): Promise<void> {
  const from = range.from.toISOString()
  const to = range.to.toISOString()
  const promiseFilter = range.promiseId === null ? sql`true` : sql`r.promise_id = ${range.promiseId}`
  await db.execute(sql`
    insert into run_rollups (promise_id, hour, runs, kept, at_risk, broken, errors, p50_ms, p95_ms, max_clicks)
    select r.promise_id,
           to_timestamp(floor(extract(epoch from r.started_at) / 3600) * 3600) as hour,
           ${FIGURES}
    from runs r
    where ${promiseFilter} and r.started_at >= ${from}::timestamptz and r.started_at < ${to}::timestamptz
    group by 1, 2
    ${UPSERT}
  `)
}

/** Refresh the rollup of the hour that holds `at` for one promise. */
export function refreshHour(db: Executor, promiseId: string, at: Date): Promise<void> {
  return refreshHours(db, [{ promiseId, at }])
}

/**
 * Refresh the rollups of the hours holding each `at` of each promise, in
 * one statement (a batch of results touches many promises at once).
 */
export async function refreshHours(db: Executor, touched: { promiseId: string; at: Date }[]): Promise<void> {
  const pairs = new Map<string, { promiseId: string; hour: string }>()
  for (const { promiseId, at } of touched) {
    const hour = hourOf(at).toISOString()
    pairs.set(`${promiseId} ${hour}`, { promiseId, hour })
  }
  if (pairs.size === 0) return
  // The pairs travel as one JSON parameter, cheap to build whatever their number.
  const hours = JSON.stringify([...pairs.values()].map((p) => ({ promise_id: p.promiseId, hour: p.hour })))
  await db.execute(sql`
    insert into run_rollups (promise_id, hour, runs, kept, at_risk, broken, errors, p50_ms, p95_ms, max_clicks)
    select t.promise_id, t.hour, ${FIGURES}
    from jsonb_to_recordset(${hours}::jsonb) as t (promise_id uuid, hour timestamptz)
    join runs r on r.promise_id = t.promise_id and r.started_at >= t.hour and r.started_at < t.hour + interval '1 hour'
    group by t.promise_id, t.hour
    ${UPSERT}
  `)
}
