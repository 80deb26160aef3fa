import type { Runtime } from './runtime.ts'
import type { Db } from '../db/client.ts'
import { createRedisConnection, type RedisTarget } from '../infra/redis.ts'
import { startRecorder, type Recorder } from '../recorder/recorder.ts'
import type { RunResult } from '../domain/run.ts'

// The recorder, in `kept start` and `kept api`, or its own process
// through workers/recorder.ts.

/** Start the recorder in this runtime and register its stop hook. */
export function composeRecorder(
  rt: Runtime,
  deps: { db: Db; redis: RedisTarget; onRecorded?: (result: RunResult) => void },
): Recorder {
  const connection = createRedisConnection(deps.redis, { worker: true })
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
