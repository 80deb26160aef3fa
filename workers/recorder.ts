import { pathToFileURL } from 'node:url'
import { bootRuntime, type Runtime } from '../src/app/runtime.ts'
import type { Db } from '../src/db/client.ts'
import { openDatabase } from '../src/db/open.ts'
import { createRedisConnection } from '../src/infra/redis.ts'
import { startRecorder, type Recorder } from '../src/recorder/recorder.ts'
import type { RunResult } from '../src/domain/run.ts'

// The recorder as its own process: `node --import tsx workers/recorder.ts`.
// `kept start` and `kept api` run it in-process through composeRecorder.

/** Start the recorder in this runtime and register its stop hook. */
export function composeRecorder(
  rt: Runtime,
  deps: { db: Db; redisUrl: string; onRecorded?: (result: RunResult) => void },
): Recorder {
  const connection = createRedisConnection(deps.redisUrl, { worker: true })
  rt.lifecycle.onStop('recorder redis', async () => void (await connection.quit()))
  const recorder = startRecorder({
    connection,
    prefix: rt.env.KEPT_QUEUE_PREFIX,
    db: deps.db,
    logger: rt.logger,
    ...(deps.onRecorded ? { onRecorded: deps.onRecorded } : {}),
  })
  rt.lifecycle.onStop('recorder', () => recorder.close())
  return recorder
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rt = await bootRuntime('kept-recorder')
  try {
    const database = await openDatabase(rt.env, { role: 'server', logger: rt.logger })
    rt.lifecycle.onStop('database', () => database.close())
    await database.migrate()
    composeRecorder(rt, { db: database.db, redisUrl: rt.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })
    rt.logger.info('recorder started')
  } catch (error) {
    rt.logger.fatal({ err: error }, 'recorder failed to start')
    await rt.lifecycle.stop('start failed')
    process.exit(1)
  }
}
