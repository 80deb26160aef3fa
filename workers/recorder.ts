import { composeRecorder } from '../src/app/recorder.ts'
import { runProcess } from '../src/app/run-process.ts'
import { openDatabase } from '../src/db/open.ts'
import { openEvidenceStore } from '../src/evidence/open.ts'
import { sharedRedisTarget } from '../src/infra/redis.ts'

// The recorder as its own process: `node --import tsx workers/recorder.ts`.
// `kept start` and `kept api` run it in-process through composeRecorder.
await runProcess('kept-recorder', async (rt) => {
  const database = await openDatabase(rt.env, { role: 'server', logger: rt.logger })
  rt.lifecycle.onStop('database', () => database.close())
  await database.migrate()
  composeRecorder(rt, { db: database.db, redis: await sharedRedisTarget(rt.env), evidence: await openEvidenceStore(rt.env, rt.dataDir) })
  rt.logger.info('recorder started')
})
