import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Queue } from 'bullmq'
import { and, eq, isNull } from 'drizzle-orm'
import { createApiApp } from '../api/app.ts'
import { createReadCache } from '../api/read-cache.ts'
import { startAlerts, sendTestAlert } from '../alerts/alerts.ts'
import { alertSettingsFromEnv } from '../alerts/settings.ts'
import { ensureAdminFromEnv } from '../auth/users.ts'
import { openDatabase } from '../db/open.ts'
import { promises } from '../db/schema.ts'
import { previewDigest } from '../digest/preview.ts'
import { digestRoutes } from '../digest/routes.tsx'
import { startDigest } from '../digest/scheduler.ts'
import { createMailer } from '../infra/mailer.ts'
import { createRedisConnection, resolveRedis } from '../infra/redis.ts'
import { createMetrics } from '../metrics/metrics.ts'
import { openEvidenceStore } from '../evidence/open.ts'
import { readEvidence } from '../evidence/store.ts'
import { receiveEvidence } from '../evidence/transport.ts'
import { QUEUES } from '../queue/jobs.ts'
import { JourneyQueues } from '../queue/journey-queues.ts'
import { regionDirectory } from '../queue/regions.ts'
import { resultsBacklog } from '../queue/results-stream.ts'
import { startRetention } from '../recorder/retention.ts'
import { Scheduler } from '../queue/scheduler.ts'
import { ScheduleKeeper } from '../queue/schedule-keeper.ts'
import { markOverdue } from '../services/overdue.ts'
import { addOwnService, targetPolicyFromEnv } from '../runner/own-services.ts'
import { parseTrustProxy } from '../config/trust-proxy.ts'
import { tryJourney } from '../queue/try-journey.ts'
import { askForDiscovery, type DiscoveryJob } from '../queue/discovery.ts'
import { claimDiscovery } from '../services/claim-discovery.ts'
import { syncChecks } from '../services/check-sync.ts'
import { pageRoutes } from '../ui/app.tsx'
import { readStatusLogo } from '../status/logo.ts'
import { statusRoutes } from '../status/routes.ts'
import { composeJourneyWorker } from './journey-worker.ts'
import { BuilderSessions } from '../builder/sessions.ts'
import { secretLoader } from '../builder/secrets.ts'
import { resolveChromium } from '../runner/browser-path.ts'
import { BrowserPool } from '../runner/browser-pool.ts'
import { composeRecorder } from './recorder.ts'
import { startDemo } from './demo.ts'
import { healthCheck } from './health.ts'
import { every } from 'hono/combine'
import { authenticate, requireAction } from '../auth/middleware.ts'
import { createHttpApp, listenOn, type HttpServer } from './http.ts'
import type { Runtime } from './runtime.ts'

/** A full reconcile this often, even when the counts agree (a scheduler changed behind Kept's back). */
const FULL_RECONCILE_MS = 5 * 60_000
/** How often promises are checked for missing walks. */
const OVERDUE_CHECK_MS = 60_000

export const CHECKS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../checks')

export interface ControlPlane {
  url: string
  scheduler: Scheduler
  http: HttpServer
}

/**
 * `kept start` and `kept api`: everything but the journey worker (and the
 * worker too, with `worker: true`), in the order of docs/ARCHITECTURE.md.
 * Every part registers its stop hook as it starts, so a failure halfway
 * stops what already runs.
 */
export async function startControlPlane(rt: Runtime, options: { worker: boolean; demo: boolean }): Promise<ControlPlane> {
  const { env, logger, lifecycle, dataDir, secretKey } = rt

  // Redis first: a wrong REDIS_URL or REDIS_CLUSTER_NODES fails in seconds, before the database opens.
  const redis = await resolveRedis(env, dataDir, logger)
  lifecycle.onStop('private redis', () => redis.stop())
  // Everything in this process reads the same Redis from here on.
  if ('url' in redis.target) rt.env = { ...env, REDIS_URL: redis.target.url }

  // What journeys and alert channels may reach: Kept's own Redis, Postgres
  // and HTTP listener are blocked unless KEPT_ALLOWED_TARGETS names them.
  const targetPolicy = await targetPolicyFromEnv(rt.env)
  rt.targetPolicy = targetPolicy

  const database = await openDatabase(env, { role: 'server', logger })
  lifecycle.onStop('database', () => database.close())
  await database.migrate()
  const { db } = database
  logger.info({ database: database.describe }, 'database ready')
  // Where runs' screenshots and traces are kept (KEPT_EVIDENCE_URL, else the data dir).
  const evidence = await openEvidenceStore(env, dataDir)
  logger.info({ evidence: evidence.describe }, 'evidence store')

  const connection = createRedisConnection(redis.target)
  lifecycle.onStop('redis', async () => void (await connection.quit()))
  const prefix = env.KEPT_QUEUE_PREFIX
  // One queue of journeys a region (src/queue/journey-queues.ts); the default region's is opened now.
  const journeyQueues = new JourneyQueues(connection, prefix)
  const journeys = journeyQueues.of(env.KEPT_REGION)
  const regions = regionDirectory(connection, prefix, env.KEPT_REGION)
  const discoveries = new Queue<DiscoveryJob>(QUEUES.discoveries, { connection, prefix })
  const otherQueues = [QUEUES.alerts, QUEUES.alertDeliveries, QUEUES.digest].map((name) => new Queue(name, { connection, prefix }))
  lifecycle.onStop('queues', async () => void (await Promise.all([journeyQueues, discoveries, ...otherQueues].map((q) => q.close()))))

  const admin = await ensureAdminFromEnv(db, env)
  if (admin?.created) logger.info({ email: admin.email }, 'first admin created from KEPT_ADMIN_EMAIL')
  if (options.demo) await startDemo(rt, db)

  const checks = await syncChecks(db, CHECKS_DIR, { demo: options.demo, defaultRegion: env.KEPT_REGION })
  for (const problem of checks.errors) logger.error(problem, 'code check not loaded')
  logger.info({ synced: checks.synced.length, paused: checks.paused.length }, 'code checks synced')

  const scheduler = new Scheduler({ db, queue: journeys, queues: journeyQueues, timezone: env.KEPT_TIMEZONE, logger, redis: connection, prefix })
  await scheduler.reconcile()
  // A promise that never ran (the demo's, a new code check) runs at once,
  // so a newcomer sees runs now, not after the first interval.
  const neverRun = await db.select({ id: promises.id }).from(promises).where(and(isNull(promises.lastRunAt), eq(promises.paused, false)))
  for (const { id } of neverRun) await scheduler.runFirst(id)
  // A check file that changed what it walks is walked at once too.
  const neverRunIds = new Set(neverRun.map((row) => row.id))
  for (const id of checks.walkNow) if (!neverRunIds.has(id)) await scheduler.runNow(id)

  const metrics = createMetrics({
    queues: [journeys, ...otherQueues],
    journeyQueues: () => journeyQueues.opened(),
    backlogs: [{ name: 'results', counts: () => resultsBacklog(connection, prefix) }],
    db,
  })
  composeRecorder(rt, { db, redis: redis.target, evidence, onRecorded: (result) => metrics.observeRun(result) })

  const { transport: mailer, configured: mailConfigured } = createMailer(env.SMTP_URL)
  if (!mailConfigured) logger.warn('SMTP_URL is not set: alert and digest emails are kept in the outbox (the Alerts page) and the log, not sent')
  const workerConnection = createRedisConnection(redis.target, { worker: true })
  lifecycle.onStop('worker redis', async () => void (await workerConnection.quit()))
  const alertOptions = {
    connection: workerConnection,
    prefix,
    db,
    secretKey,
    settings: { ...alertSettingsFromEnv(env), evidence },
    mailer: { transport: mailer, configured: mailConfigured, from: env.SMTP_FROM },
    targetPolicy,
    logger,
  }
  const alerts = await startAlerts(alertOptions)
  lifecycle.onStop('alerts', () => alerts.close())
  const baseUrl = alertOptions.settings.baseUrl
  const digest = await startDigest({ connection: workerConnection, prefix, db, mailer, env, secretKey, logger })
  lifecycle.onStop('digest', () => digest.close())
  const retention = await startRetention({ connection: workerConnection, prefix, db, retentionDays: env.KEPT_RETENTION_DAYS, dataDir, evidence, logger })
  lifecycle.onStop('retention', () => retention.close())

  const keeper = new ScheduleKeeper({
    scheduler,
    redis: connection,
    prefix,
    parts: [alerts, digest, retention],
    everyMs: env.KEPT_SCHEDULE_CHECK_SECONDS * 1000,
    fullEveryMs: FULL_RECONCILE_MS,
    after: {
      everyMs: OVERDUE_CHECK_MS,
      run: () => markOverdue({ db, timezone: env.KEPT_TIMEZONE, baseUrl, mailer: alertOptions.mailer, logger }),
    },
    logger,
  })
  await keeper.check()
  keeper.start()
  lifecycle.onStop('schedule keeper', () => keeper.stop())

  if (options.worker) await composeJourneyWorker(rt)

  // "Build by clicking": its sessions live in this process, where its browser is (docs/ARCHITECTURE.md).
  const chromium = resolveChromium(env)
  const builder = new BuilderSessions({
    pool: chromium ? new BrowserPool({ executablePath: chromium.path, logger }) : null,
    policy: targetPolicy,
    loadSecrets: secretLoader(db, secretKey),
    settings: { maxSessions: env.KEPT_BUILDER_SESSIONS, idleMs: env.KEPT_BUILDER_IDLE_SECONDS * 1000, maxMs: env.KEPT_BUILDER_MAX_MINUTES * 60_000, stepMs: 30_000 },
    runValues: { emailDomain: env.KEPT_RUN_EMAIL_DOMAIN, timezone: env.KEPT_TIMEZONE },
    logger,
  })
  lifecycle.onStop('journey builder', () => builder.closeAll())

  const health = healthCheck({ db, driver: database.driver, redis: connection, env, schedules: () => scheduler.counts() })
  const readCache = createReadCache({ ttlMs: env.KEPT_API_CACHE_MS })
  const api = createApiApp({
    db,
    scheduler,
    regions,
    secretKey,
    dataDir,
    evidence,
    health,
    testChannel: (channelId) => sendTestAlert(alertOptions, channelId),
    previewDigest: (week) => previewDigest(db, { week, timezone: env.KEPT_TIMEZONE, baseUrl }),
    discoverClaims: claimDiscovery({ targetPolicy, discover: (request) => askForDiscovery({ discoveries, redis: connection, prefix }, request) }),
    readCache,
    builder,
    logger,
  })
  const pages = pageRoutes({
    db,
    scheduler,
    regions,
    dataDir,
    evidence,
    // A try's evidence stays in Redis (an hour, like its result): tries are not runs, nothing is stored.
    readTryEvidence: async (key) => (await receiveEvidence(connection, prefix, key)) ?? (await readEvidence(evidence, key)),
    secretKey,
    mailConfigured,
    ...(env.KEPT_PUBLIC_URL ? { publicUrl: baseUrl } : {}),
    trustProxy: parseTrustProxy(env.KEPT_TRUST_PROXY),
    testChannel: (channelId) => sendTestAlert(alertOptions, channelId),
    tryJourney: (spec) => tryJourney({ journeys, redis: connection, prefix }, spec),
  })
  const digests = digestRoutes({ db, secretKey, timezone: env.KEPT_TIMEZONE, baseUrl })
  const statusCache = createReadCache({ ttlMs: env.KEPT_STATUS_CACHE_SECONDS * 1000 })
  const status = statusRoutes({
    db,
    name: env.KEPT_STATUS_NAME,
    cache: statusCache,
    cacheSeconds: env.KEPT_STATUS_CACHE_SECONDS,
    logo: await readStatusLogo(env.KEPT_STATUS_LOGO),
    ...(env.KEPT_PUBLIC_URL ? { publicUrl: baseUrl } : {}),
  })
  const metricsGuard = env.KEPT_METRICS_PUBLIC ? undefined : every(authenticate({ db }), requireAction('read'))
  const app = createHttpApp({ logger, api, digests, pages, status, metrics: metrics.registry, readCaches: [readCache, statusCache], fastReads: { db, readCache }, ...(metricsGuard ? { metricsGuard } : {}) })
  const http = await listenOn(app, { port: env.PORT, host: env.HOST, variable: 'PORT' })
  lifecycle.onStop('http', () => http.close())
  if (env.PORT === 0) addOwnService(targetPolicy, { label: "Kept's HTTP server", host: env.HOST, port: Number(new URL(http.url).port), addresses: [] })
  logger.info({ url: http.url }, `Kept is running on ${http.url}`)
  return { url: http.url, scheduler, http }
}
