import type { EvidenceStore } from '../evidence/store.ts'
import type { Env } from '../config/env.ts'
import { publicBaseUrl } from './links.ts'

/** How alerts behave; from the environment in production, shortened in tests. */
export interface AlertSettings {
  /** Absolute base of links in messages (KEPT_PUBLIC_URL). */
  baseUrl: string
  /** KEPT_DATA_DIR: screenshots are read from <dataDir>/evidence unless `evidence` says otherwise. */
  dataDir: string
  /** The evidence store (KEPT_EVIDENCE_URL); default <dataDir>/evidence. */
  evidence?: EvidenceStore
  /** Zone of the times written in messages (KEPT_TIMEZONE). */
  timezone: string
  /** How long an open alert waits for others to group with (KEPT_ALERT_GROUP_SECONDS). */
  groupWindowMs: number
  /** More open alerts than this for one channel in one window make one grouped message. */
  groupThreshold: number
  /** Between reminders of an open, unacknowledged break (KEPT_REMINDER_HOURS). */
  reminderIntervalMs: number
  /** At most this many reminders per break (KEPT_REMINDER_MAX). */
  reminderMax: number
  /** Tries per delivery, and the first retry delay (doubling each time). */
  deliveryAttempts: number
  deliveryBackoffMs: number
  /** How often reminders, maintenance releases and repairs run; 0: never (tests call runAlertTick). */
  tickEveryMs: number
}

export function alertSettingsFromEnv(env: Env): AlertSettings {
  return {
    baseUrl: publicBaseUrl(env),
    dataDir: env.KEPT_DATA_DIR,
    timezone: env.KEPT_TIMEZONE,
    groupWindowMs: env.KEPT_ALERT_GROUP_SECONDS * 1000,
    groupThreshold: env.KEPT_ALERT_GROUP_THRESHOLD,
    reminderIntervalMs: env.KEPT_REMINDER_HOURS * 3600_000,
    reminderMax: env.KEPT_REMINDER_MAX,
    // 8 tries over ~4 minutes: 2, 4, 8 … 128 s.
    deliveryAttempts: 8,
    deliveryBackoffMs: 2000,
    tickEveryMs: 60_000,
  }
}
