import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import { decrypt } from '../infra/crypto.ts'
import { evidenceLimitsFromEnv } from '../evidence/open.ts'
import { createRedisConnection, redisAddresses, sharedRedisTarget } from '../infra/redis.ts'
import { StartupError } from '../infra/startup-error.ts'
import { startDiscoveryWorker } from '../queue/discovery-worker.ts'
import { startJourneyWorker, type JourneyWorker } from '../queue/journey-worker.ts'
import { defaultConcurrency } from '../queue/options.ts'
import { defaultProbes } from '../queue/self-check.ts'
import { startWorkerHeartbeat } from '../queue/worker-heartbeat.ts'
import { resolveChromium } from '../runner/browser-path.ts'
import { BrowserPool } from '../runner/browser-pool.ts'
import { targetPolicyFromEnv } from '../runner/own-services.ts'
import { listenOn } from './http.ts'
import type { Runtime } from './runtime.ts'
import { workerHealthApp } from './worker-health.ts'

// A journey worker: Redis and a browser, never the database. Its own
// process through workers/journey.ts or `kept worker`; in `kept start` too.
// It also crawls sites for claim discovery (queue "discoveries").

/**
 * Start a journey worker in this runtime and register its stop hooks
 * (health listener, heartbeat, worker, browser, then Redis).
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
  const redis = await sharedRedisTarget(env)
  const connection = createRedisConnection(redis, { worker: true })
  lifecycle.onStop('redis', async () => void (await connection.quit()))
  // One context made ready while the walks run: a walk starts without waiting for its tab.
  const pool = new BrowserPool({ executablePath: chromium.path, prepareAhead: 1, logger })
  lifecycle.onStop('browser', () => pool.close())

  const concurrency = options.concurrency ?? env.KEPT_WORKER_CONCURRENCY ?? defaultConcurrency()
  const workerId = `${os.hostname()}:${process.pid}`
  const targetPolicy = rt.targetPolicy ?? (await targetPolicyFromEnv(env))
  const worker = startJourneyWorker({
    connection,
    prefix: env.KEPT_QUEUE_PREFIX,
    pool,
    concurrency,
    workerId,
    region: env.KEPT_REGION,
    dataDir,
    decryptSecret: (encrypted) => decrypt(secretKey, encrypted),
    evidenceLimits: evidenceLimitsFromEnv(env),
    targetPolicy,
    runValues: { emailDomain: env.KEPT_RUN_EMAIL_DOMAIN, timezone: env.KEPT_TIMEZONE },
    sanityProbes: defaultProbes(redisAddresses(redis)),
    // Walks in flight get 3.5 s to finish, then are handed back: the stop hook has 5 s.
    closeGraceMs: 3500,
    logger,
  })
  lifecycle.onStop('journey worker', () => worker.close())
  // Claim discovery crawls in the same browser, behind the same target policy.
  const discoveries = startDiscoveryWorker({ connection, prefix: env.KEPT_QUEUE_PREFIX, pool, targetPolicy, closeGraceMs: 3500, logger })
  lifecycle.onStop('discovery worker', () => discoveries.close())

  // Alive in Redis (<prefix>:workers:<region>:<id>) and, with
  // KEPT_HEARTBEAT_FILE, in a file a container health check reads the age of.
  const file = env.KEPT_HEARTBEAT_FILE
  const heartbeat = startWorkerHeartbeat({
    redis: connection,
    prefix: env.KEPT_QUEUE_PREFIX,
    region: env.KEPT_REGION,
    workerId,
    concurrency,
    logger,
    ...(file ? { onTick: () => void writeFile(file, new Date().toISOString()).catch((error) => logger.warn({ err: error, file }, 'heartbeat file not written')) } : {}),
  })
  lifecycle.onStop('heartbeat', () => heartbeat.stop())
  if (env.KEPT_WORKER_HEALTH_PORT) {
    const app = workerHealthApp(heartbeat, { workerId, region: env.KEPT_REGION }, () => lifecycle.isStopping)
    const health = await listenOn(app, { port: env.KEPT_WORKER_HEALTH_PORT, host: env.HOST, variable: 'KEPT_WORKER_HEALTH_PORT' })
    lifecycle.onStop('worker health', () => health.close())
  }
  logger.info({ concurrency, region: env.KEPT_REGION, chromium: chromium.path, source: chromium.source }, 'journey worker started')
  return worker
}
