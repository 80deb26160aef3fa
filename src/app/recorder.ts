import type { Runtime } from './runtime.ts'
import type { Db } from '../db/client.ts'
import { createRedisConnection, type RedisTarget } from '../infra/redis.ts'
import { startRecorder, type Recorder } from '../recorder/recorder.ts'
import type { RunResult } from '../domain/run.ts'
import { evidenceKeeper } from '../evidence/keeper.ts'
import { evidenceLimitsFromEnv } from '../evidence/open.ts'
import type { EvidenceStore } from '../evidence/store.ts'

// The recorder, in `kept start` and `kept api`, or its own process
// through workers/recorder.ts.

/** Start the recorder in this runtime and register its stop hook. */
export function composeRecorder(
  rt: Runtime,
  deps: { db: Db; redis: RedisTarget; evidence: EvidenceStore; onRecorded?: (result: RunResult) => void },
): Recorder {
  const connection = createRedisConnection(deps.redis, { worker: true })
  rt.lifecycle.onStop('recorder redis', async () => void (await connection.quit()))
  const recorder = startRecorder({
    connection,
    prefix: rt.env.KEPT_QUEUE_PREFIX,
    db: deps.db,
    // Evidence from journey workers, out of Redis into the store before each run is written.
    evidence: evidenceKeeper({
      redis: connection,
      prefix: rt.env.KEPT_QUEUE_PREFIX,
      store: deps.evidence,
      limits: evidenceLimitsFromEnv(rt.env),
      retryMs: rt.env.KEPT_EVIDENCE_RETRY_SECONDS * 1000,
      logger: rt.logger,
    }),
    logger: rt.logger,
    ...(deps.onRecorded ? { onRecorded: deps.onRecorded } : {}),
  })
  rt.lifecycle.onStop('recorder', () => recorder.close())
  return recorder
}
