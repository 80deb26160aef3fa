import type { Queue } from 'bullmq'
import type { Db } from '../db/client.ts'
import type { Logger } from '../infra/logger.ts'
import type { Mailer } from './channels/index.ts'
import type { AlertSettings } from './settings.ts'

/** What every alert step needs: the database, the two queues, the settings. */
export interface AlertContext {
  db: Db
  /** Decrypts channel configs (see src/infra/crypto.ts). */
  secretKey: Buffer
  settings: AlertSettings
  mailer: Mailer
  /** Queue "alerts": break events, grouping flushes, the tick. */
  alertsQueue: Queue
  /** Queue "alert-deliveries": one job per message to one channel. */
  deliveriesQueue: Queue
  logger?: Logger
  now: () => Date
}
