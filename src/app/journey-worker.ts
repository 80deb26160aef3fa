import { writeFile } from 'node:fs/promises'
import { decrypt } from '../infra/crypto.ts'
import { createRedisConnection } from '../infra/redis.ts'
import { StartupError } from '../infra/startup-error.ts'
import { startJourneyWorker, type JourneyWorker } from '../queue/journey-worker.ts'
import { defaultConcurrency } from '../queue/options.ts'
import { defaultProbes } from '../queue/self-check.ts'
import { resolveChromium } from '../runner/browser-path.ts'
import { BrowserPool } from '../runner/browser-pool.ts'
import { targetPolicyFromEnv } from '../runner/own-services.ts'
import type { Runtime } from './runtime.ts'

// A journey worker: Redis and a browser, never the database. Its own
// process through workers/journey.ts or `kept worker`; in `kept start` too.

/**
 * Start a journey worker in this runtime and register its stop hooks
 * (worker first, then browser, then Redis).
 */
export async function composeJourneyWorker(rt: Runtime, options: { concurrency?: number } = {}): Promise<JourneyWorker> {
  const { env, logger, dataDir, secretKey, lifecycle } = rt
  const chromium = resolveChromium(env)
  if (!chromium) {
    throw new StartupError(
      'KEPT_CHROMIUM_PATH',
      'no Chromium found',
      'Set KEPT_CHROMIUM_PATH to a Chromium binary, or run `npm install` to fetch Playwright’s.',
    )
  }
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  const connection = createRedisConnection(redisUrl, { worker: true })
  lifecycle.onStop('redis', async () => void (await connection.quit()))
  const pool = new BrowserPool({ executablePath: chromium.path, logger })
  lifecycle.onStop('browser', () => pool.close())

  const concurrency = options.concurrency ?? env.KEPT_WORKER_CONCURRENCY ?? defaultConcurrency()
  const worker = startJourneyWorker({
    connection,
    prefix: env.KEPT_QUEUE_PREFIX,
    pool,
    concurrency,
    dataDir,
    decryptSecret: (encrypted) => decrypt(secretKey, encrypted),
    targetPolicy: rt.targetPolicy ?? (await targetPolicyFromEnv(env)),
    runValues: { emailDomain: env.KEPT_RUN_EMAIL_DOMAIN, timezone: env.KEPT_TIMEZONE },
    sanityProbes: defaultProbes(redisUrl),
    closeGraceMs: 4000,
    logger,
  })
  lifecycle.onStop('journey worker', () => worker.close())
  if (env.KEPT_HEARTBEAT_FILE) startHeartbeat(rt, env.KEPT_HEARTBEAT_FILE)
  logger.info({ concurrency, chromium: chromium.path, source: chromium.source }, 'journey worker started')
  return worker
}

/** Touch a file every 10 s while the worker runs: a container health check reads its age. */
function startHeartbeat(rt: Runtime, file: string): void {
  const beat = () => writeFile(file, new Date().toISOString()).catch((error) => rt.logger.warn({ err: error, file }, 'heartbeat not written'))
  void beat()
  const timer = setInterval(beat, 10_000)
  timer.unref()
  rt.lifecycle.onStop('heartbeat', async () => clearInterval(timer))
}
