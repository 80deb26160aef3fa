import path from 'node:path'
import { Queue } from 'bullmq'
import { eq } from 'drizzle-orm'
import { parseEnv } from '../../config/env.ts'
import { openDatabase } from '../../db/open.ts'
import { runs } from '../../db/schema.ts'
import { createRedisConnection, sharedRedisTarget } from '../../infra/redis.ts'
import { QUEUES, type JourneyJob } from '../../queue/jobs.ts'
import { Scheduler } from '../../queue/scheduler.ts'

/**
 * `kept run <promise id>`: enqueue a run through the same queue as
 * scheduled runs and, unless --no-wait, wait for the recorder to write it.
 * Exit code: 0 kept or at risk, 1 broken, 2 error or not recorded in time.
 */
export async function runCommand(promiseId: string, opts: { wait: boolean; timeoutSeconds?: number }): Promise<number> {
  const env = parseEnv()
  const redis = await sharedRedisTarget(env)
  const database = await openDatabase({ ...env, KEPT_DATA_DIR: path.resolve(env.KEPT_DATA_DIR) }, { role: 'client' })
  const connection = createRedisConnection(redis)
  const journeys = new Queue<JourneyJob>(QUEUES.journeys, { connection, prefix: env.KEPT_QUEUE_PREFIX })
  try {
    const scheduler = new Scheduler({ db: database.db, queue: journeys })
    const runId = await scheduler.runNow(promiseId)
    process.stdout.write(`run ${runId} queued\n`)
    if (!opts.wait) return 0
    const deadline = Date.now() + (opts.timeoutSeconds ?? 180) * 1000
    while (Date.now() < deadline) {
      const [run] = await database.db.select().from(runs).where(eq(runs.id, runId))
      if (run) {
        const why = run.failure ? ` — ${run.failure.message}` : ''
        process.stdout.write(`${run.outcome.replace('_', ' ')}: ${run.clicks} clicks in ${(run.durationMs / 1000).toFixed(1)} s${why}\n`)
        return run.outcome === 'broken' ? 1 : run.outcome === 'error' ? 2 : 0
      }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    process.stderr.write('kept run: the run was not recorded in time; is a journey worker running (kept start or kept worker)?\n')
    return 2
  } finally {
    await journeys.close()
    connection.disconnect()
    await database.close()
  }
}
