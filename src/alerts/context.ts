import type { TargetPolicy } from '../domain/target-policy.ts'
import { Queue } from 'bullmq'
import type { RedisClient } from '../infra/redis.ts'
import type { Db } from '../db/client.ts'
import type { Logger } from '../infra/logger.ts'
import { QUEUES } from '../queue/jobs.ts'
import type { Mailer } from './channels/index.ts'
import type { AlertSettings } from './settings.ts'

/** What every alert step needs: the database, the two queues, the settings. */
export interface AlertContext {
  db: Db
  /** Decrypts channel configs (see src/infra/crypto.ts). */
  secretKey: Buffer
  settings: AlertSettings
  mailer: Mailer
  /** What channel URLs may reach (KEPT_ALLOWED_TARGETS, Kept's own services blocked). */
  targetPolicy?: TargetPolicy
  /** Queue "alerts": break events, grouping flushes, the tick. */
  alertsQueue: Queue
  /** Queue "alert-deliveries": one job per message to one channel. */
  deliveriesQueue: Queue
  logger?: Logger
  now: () => Date
}

/** How a process starts the alerts: startAlerts, runAlertTick (through openAlertContext), sendTestAlert. */
export interface AlertsOptions {
  /** A BullMQ worker connection (maxRetriesPerRequest: null). */
  connection: RedisClient
  prefix: string
  db: Db
  secretKey: Buffer
  settings: AlertSettings
  mailer: Mailer
  targetPolicy?: TargetPolicy
  logger?: Logger
  /** The clock; tests move it to reach reminders. */
  now?: () => Date
}

/** The context with its own queue handles; close() closes only those. */
export function openAlertContext(options: AlertsOptions): AlertContext & { close(): Promise<void> } {
  const { connection, prefix } = options
  const alertsQueue = new Queue(QUEUES.alerts, { connection, prefix })
  const deliveriesQueue = new Queue(QUEUES.alertDeliveries, { connection, prefix })
  return {
    db: options.db,
    secretKey: options.secretKey,
    settings: options.settings,
    mailer: options.mailer,
    ...(options.targetPolicy ? { targetPolicy: options.targetPolicy } : {}),
    alertsQueue,
    deliveriesQueue,
    ...(options.logger ? { logger: options.logger } : {}),
    now: options.now ?? (() => new Date()),
    async close() {
      await Promise.all([alertsQueue.close(), deliveriesQueue.close()])
    },
  }
}
