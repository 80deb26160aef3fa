import type { Db } from '../db/client.ts'
import type { Logger } from '../infra/logger.ts'
import type { PromiseScheduler } from '../queue/scheduler-port.ts'

/** What the API needs from the rest of Kept; tests pass fakes for the functions and the scheduler. */
export interface ApiDeps {
  db: Db
  scheduler: PromiseScheduler
  /** Encrypts channel configs and secrets at rest. */
  secretKey: Buffer
  /** KEPT_DATA_DIR: evidence lives under <dataDir>/evidence. */
  dataDir: string
  health: () => Promise<Record<string, unknown> & { ok: boolean }>
  /** Sends a test message through a channel; throws (e.g. ChannelError) when it fails. */
  testChannel: (channelId: string) => Promise<void>
  previewDigest: (week: string) => Promise<unknown>
  logger?: Logger
}
