import { sql } from 'drizzle-orm'
import type { Db } from '../../src/db/client.ts'

// Bulk seeding with generate_series: promises like the demo's, runs spread
// over them and over the past days, each promise's state and last run set
// from its newest run, and one open break per hundred promises.

const JOURNEY = [
  'go to http://127.0.0.1:4100/',
  'click "Shop now"',
  'click "Add to cart"',
  'click "Place order"',
  'expect "Order confirmed"',
].join('\n')

export async function seedPromises(db: Db, count: number): Promise<void> {
  await db.execute(sql`insert into promises (title, journey, budgets, schedule_every_seconds, daily_customers, marketing_owner, tech_owner, created_at)
    select 'Order online in 3 clicks #' || n, ${JOURNEY}, '{"maxClicks": 3, "maxSeconds": 60}'::jsonb, 60, 1000 + n % 500,
           'ana' || (n % 20) || '@example.com', 'tom' || (n % 20) || '@example.com', now() - (${count} - n) * interval '1 second'
    from generate_series(1, ${count}) n`)
}

/** `count` runs, one every ~30 s per promise going back from now, in chunks of 500,000. */
export async function seedRuns(db: Db, count: number, progress?: (done: number) => void): Promise<void> {
  const [row] = (await db.execute(sql`select count(*)::int as promises from promises`)) as unknown as { promises: number }[]
  const total = row!.promises
  const CHUNK = 500_000
  for (let from = 0; from < count; from += CHUNK) {
    const to = Math.min(count, from + CHUNK)
    await db.execute(sql`
      with p as (select array_agg(id order by id) as ids from promises)
      insert into runs (id, promise_id, trigger, outcome, clicks, duration_ms, started_at, finished_at, steps, vitals, worker_id)
      select gen_random_uuid(), p.ids[1 + n % ${total}], 'schedule',
             case when n % 97 = 0 then 'broken' when n % 89 = 0 then 'at_risk' else 'kept' end,
             3, 800 + n % 400,
             now() - (n / ${total}) * interval '30 seconds' - (n % ${total}) * interval '1 millisecond',
             now() - (n / ${total}) * interval '30 seconds' - (n % ${total}) * interval '1 millisecond' + interval '1 second',
             '[]'::jsonb, '{}'::jsonb, 'bench'
      from p, generate_series(${from + 1}::bigint, ${to}::bigint) n`)
    progress?.(to)
  }
  await db.execute(sql`
    update promises set last_run_id = r.id, last_run_at = r.started_at, state = r.outcome,
           consecutive_kept = case when r.outcome = 'broken' then 0 else 1 end,
           consecutive_broken = case when r.outcome = 'broken' then 1 else 0 end
    from (select distinct on (promise_id) promise_id, id, started_at, outcome from runs order by promise_id, started_at desc) r
    where promises.id = r.promise_id`)
  await db.execute(sql`
    with opened as (
      insert into breaks (promise_id, opened_at, opened_by_run_id, failure)
      select id, now() - interval '10 minutes', coalesce(last_run_id, gen_random_uuid()), '{"kind": "step", "line": 5, "message": "expected \\"Order confirmed\\""}'::jsonb
      from promises where right(title, 2) = '00'
      returning id, promise_id)
    update promises set open_break_id = opened.id, state = 'broken' from opened where promises.id = opened.promise_id`)
  // As a long-lived database is after autovacuum, so autovacuum does not
  // start on ten million new rows in the middle of a measurement.
  await db.execute(sql`vacuum (analyze)`)
}

/** Hourly rollups for every promise over the past `days` days (what the dashboard's history reads). */
export async function seedRollups(db: Db, days: number): Promise<void> {
  await db.execute(sql`
    insert into run_rollups (promise_id, hour, runs, kept, at_risk, broken, errors, p50_ms, p95_ms, max_clicks)
    select p.id, h.hour, 120, 118 - (extract(hour from h.hour)::int % 3), 1, 1 + (extract(hour from h.hour)::int % 3), 0, 950, 1400, 3
    from promises p,
         generate_series(date_trunc('hour', now()) - ${days} * interval '1 day', date_trunc('hour', now()), interval '1 hour') as h(hour)
    on conflict do nothing`)
  await db.execute(sql`analyze run_rollups`)
}
