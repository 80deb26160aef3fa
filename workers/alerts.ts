import { pathToFileURL } from 'node:url'
import { startAlerts, type Alerts } from '../src/alerts/alerts.ts'
import type { Mailer } from '../src/alerts/channels/index.ts'
import { alertSettingsFromEnv } from '../src/alerts/settings.ts'
import { bootRuntime, type Runtime } from '../src/app/runtime.ts'
import type { Db } from '../src/db/client.ts'
import { openDatabase } from '../src/db/open.ts'
import { createMailer } from '../src/infra/mailer.ts'
import { createRedisConnection } from '../src/infra/redis.ts'

// The alerts as their own process: `node --import tsx workers/alerts.ts`.
// `kept start` and `kept api` run them in-process through composeAlerts.

/** The mailer of alerts: SMTP_URL and SMTP_FROM (mail is logged, not sent, without SMTP_URL). */
export function alertMailer(env: Runtime['env']): Mailer {
  return { ...createMailer(env.SMTP_URL), from: env.SMTP_FROM }
}

/** Start the alert workers in this runtime and register their stop hook. */
export async function composeAlerts(
  rt: Runtime,
  deps: { db: Db; redisUrl: string; mailer?: Mailer },
): Promise<Alerts> {
  const connection = createRedisConnection(deps.redisUrl, { worker: true })
  rt.lifecycle.onStop('alerts redis', async () => void (await connection.quit()))
  const alerts = await startAlerts({
    connection,
    prefix: rt.env.KEPT_QUEUE_PREFIX,
    db: deps.db,
    secretKey: rt.secretKey,
    settings: { ...alertSettingsFromEnv(rt.env), dataDir: rt.dataDir },
    mailer: deps.mailer ?? alertMailer(rt.env),
    logger: rt.logger,
  })
  rt.lifecycle.onStop('alerts', () => alerts.close())
  return alerts
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rt = await bootRuntime('kept-alerts')
  try {
    const database = await openDatabase(rt.env, { role: 'server', logger: rt.logger })
    rt.lifecycle.onStop('database', () => database.close())
    await database.migrate()
    await composeAlerts(rt, { db: database.db, redisUrl: rt.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })
    rt.logger.info('alerts started')
  } catch (error) {
    rt.logger.fatal({ err: error }, 'alerts failed to start')
    await rt.lifecycle.stop('start failed')
    process.exit(1)
  }
}
