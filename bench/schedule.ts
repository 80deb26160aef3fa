import { Queue } from 'bullmq'
import { sql } from 'drizzle-orm'
import { createRedisConnection } from '../src/infra/redis.ts'
import { QUEUES, type JourneyJob } from '../src/queue/jobs.ts'
import { Scheduler } from '../src/queue/scheduler.ts'
import { print, summarize, writeResult } from './lib/report.ts'
import { figure, isMain, knob, runCli, type BenchOptions, type BenchReport } from './lib/cli.ts'
import { benchDatabase, benchPrefix, deletePrefix, REDIS_URL } from './lib/services.ts'

// Time to schedule SCHEDULE_PROMISES promises: Scheduler.reconcile() on a
// fresh BullMQ prefix (every job scheduler created), then once more with
// nothing changed (what every start of Kept does).
// Quick (--quick): 2,000 promises, 5 repetitions.
export async function bench(options: BenchOptions = {}): Promise<BenchReport> {
  const quick = options.quick === true
  const PROMISES = knob(options, 'SCHEDULE_PROMISES', 10_000, 2_000, 1, 100_000)
  const REPS = knob(options, 'BENCH_REPS', 5, 5, 1, 20)

  const database = await benchDatabase('schedule')
  const connection = createRedisConnection(REDIS_URL)
  try {
    await database.db.execute(sql`insert into promises (title, journey, budgets, schedule_every_seconds)
      select 'Order online in 3 clicks #' || n,
             'go to http://127.0.0.1:4100/' || chr(10) || 'click "Shop now"' || chr(10) || 'click "Add to cart"' || chr(10) || 'click "Place order"' || chr(10) || 'expect "Order confirmed"',
             '{"maxClicks": 3, "maxSeconds": 60}'::jsonb, 60 + (n % 5) * 60
      from generate_series(1, ${PROMISES}) n`)
    console.log(`schedule: ${PROMISES} promises, ${REPS} repetitions\n`)

    const fresh: number[] = []
    const again: number[] = []
    for (let rep = 0; rep < REPS; rep++) {
      const prefix = benchPrefix('schedule')
      const queue = new Queue<JourneyJob>(QUEUES.journeys, { connection, prefix })
      const scheduler = new Scheduler({ db: database.db, queue })
      try {
        let started = performance.now()
        const report = await scheduler.reconcile()
        fresh.push((performance.now() - started) / 1000)
        if (report.upserted !== PROMISES) throw new Error(`expected ${PROMISES} schedulers, reconcile upserted ${report.upserted}`)
        started = performance.now()
        const second = await scheduler.reconcile()
        again.push((performance.now() - started) / 1000)
        if (second.unchanged !== PROMISES) throw new Error(`expected ${PROMISES} unchanged, got ${JSON.stringify(second)}`)
        console.log(`  rep ${rep + 1}: ${fresh.at(-1)!.toFixed(2)} s fresh, ${again.at(-1)!.toFixed(2)} s unchanged`)
      } finally {
        await queue.close()
        await deletePrefix(connection, prefix)
      }
    }
    console.log()
    print(`reconcile ${PROMISES} (fresh)`, summarize(fresh), 's', 2)
    print(`reconcile ${PROMISES} (unchanged)`, summarize(again), 's', 2)
    const params = { promises: PROMISES, reps: REPS }
    if (options.write !== false) {
      await writeResult('schedule', {
        params,
        freshSeconds: summarize(fresh),
        unchangedSeconds: summarize(again),
        schedulesPerSecond: summarize(fresh.map((s) => PROMISES / s)),
      })
    }
    return {
      benchmark: 'schedule',
      quick,
      params,
      figures: [
        figure(`schedule: reconcile ${PROMISES} promises, fresh`, summarize(fresh), 's'),
        figure(`schedule: reconcile ${PROMISES} promises, unchanged`, summarize(again), 's'),
      ],
    }
  } finally {
    await connection.quit()
    await database.drop()
  }
}

if (isMain(import.meta)) await runCli(bench)
