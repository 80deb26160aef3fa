import type { AlertSettings } from '../../src/alerts/settings.ts'

/** Alert settings for tests: links to kept.example.com, no grouping, no tick, short backoffs. */
export function testAlertSettings(dataDir: string, overrides: Partial<AlertSettings> = {}): AlertSettings {
  return {
    baseUrl: 'https://kept.example.com',
    dataDir,
    timezone: 'UTC',
    groupWindowMs: 0,
    groupThreshold: 3,
    reminderIntervalMs: 4 * 3600_000,
    reminderMax: 6,
    deliveryAttempts: 4,
    deliveryBackoffMs: 100,
    tickEveryMs: 0,
    ...overrides,
  }
}
