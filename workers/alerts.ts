import { composeAlerts } from '../src/app/alerts.ts'
import { runProcess } from '../src/app/run-process.ts'
import { openDatabase } from '../src/db/open.ts'
import { sharedRedisTarget } from '../src/infra/redis.ts'

// The alerts as their own process: `node --import tsx workers/alerts.ts`.
// `kept start` and `kept api` run them in-process (control-plane.ts).
await runProcess('kept-alerts', async (rt) => {
  const database = await openDatabase(rt.env, { role: 'server', logger: rt.logger })
  rt.lifecycle.onStop('database', () => database.close())
  await database.migrate()
  await composeAlerts(rt, { db: database.db, redis: await sharedRedisTarget(rt.env) })
  rt.logger.info('alerts started')
})
