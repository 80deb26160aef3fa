import { startAlerts, type Alerts } from '../alerts/alerts.ts'
import { openEvidenceStore } from '../evidence/open.ts'
import type { Mailer } from '../alerts/channels/index.ts'
import { alertSettingsFromEnv } from '../alerts/settings.ts'
import type { Runtime } from './runtime.ts'
import type { Db } from '../db/client.ts'
import { createMailer } from '../infra/mailer.ts'
import { createRedisConnection, type RedisTarget } from '../infra/redis.ts'

// The alerts as their own process (workers/alerts.ts); `kept start` and
// `kept api` start them in control-plane.ts.

/** The mailer of alerts: SMTP_URL and SMTP_FROM (mail is logged, not sent, without SMTP_URL). */
export function alertMailer(env: Runtime['env']): Mailer {
  return { ...createMailer(env.SMTP_URL), from: env.SMTP_FROM }
}

/** Start the alert workers in this runtime and register their stop hook. */
export async function composeAlerts(
  rt: Runtime,
  deps: { db: Db; redis: RedisTarget; mailer?: Mailer },
): Promise<Alerts> {
  const connection = createRedisConnection(deps.redis, { worker: true })
  rt.lifecycle.onStop('alerts redis', async () => void (await connection.quit()))
  const alerts = await startAlerts({
    connection,
    prefix: rt.env.KEPT_QUEUE_PREFIX,
    db: deps.db,
    secretKey: rt.secretKey,
    settings: { ...alertSettingsFromEnv(rt.env), dataDir: rt.dataDir, evidence: await openEvidenceStore(rt.env, rt.dataDir) },
    mailer: deps.mailer ?? alertMailer(rt.env),
    logger: rt.logger,
  })
  rt.lifecycle.onStop('alerts', () => alerts.close())
  return alerts
}
