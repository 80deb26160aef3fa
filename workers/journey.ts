import { targetPolicyFromEnv } from '../src/runner/own-services.ts'
import { writeFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { bootRuntime, type Runtime } from '../src/app/runtime.ts'
import { decrypt } from '../src/infra/crypto.ts'
import { createRedisConnection } from '../src/infra/redis.ts'
import { StartupError } from '../src/infra/startup-error.ts'
import { startJourneyWorker, type JourneyWorker } from '../src/queue/journey-worker.ts'
import { defaultConcurrency } from '../src/queue/options.ts'
import { defaultProbes } from '../src/queue/self-check.ts'
import { resolveChromium } from '../src/runner/browser-path.ts'
import { BrowserPool } from '../src/runner/browser-pool.ts'

// A journey worker process: Redis and a browser, never the database.
// `node --import tsx workers/journey.ts`, or `kept worker`.

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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rt = await bootRuntime('kept-worker')
  try {
    await composeJourneyWorker(rt)
  } catch (error) {
    rt.logger.fatal({ err: error }, 'journey worker failed to start')
    await rt.lifecycle.stop('start failed')
    process.exit(1)
  }
}
