import type { BuilderSessions } from '../builder/sessions.ts'
import type { EvidenceStore } from '../evidence/store.ts'
import type { Db } from '../db/client.ts'
import type { DiscoverRequest, Discovery } from '../domain/claims/discovery.ts'
import type { Logger } from '../infra/logger.ts'
import type { ReadCache } from './read-cache.ts'
import type { PromiseScheduler } from '../queue/scheduler-port.ts'
import type { RegionDirectory } from '../queue/regions.ts'

/** What the API needs from the rest of Kept; tests pass fakes for the functions and the scheduler. */
export interface ApiDeps {
  db: Db
  scheduler: PromiseScheduler
  /** The default and live regions (src/queue/regions.ts): unknown regions refused, regions not walked shown; absent, neither. */
  regions?: RegionDirectory
  /** Encrypts channel configs and secrets at rest. */
  secretKey: Buffer
  /** KEPT_DATA_DIR: evidence lives under <dataDir>/evidence unless `evidence` says otherwise. */
  dataDir: string
  /** The evidence store (KEPT_EVIDENCE_URL); default <dataDir>/evidence. */
  evidence?: EvidenceStore
  health: () => Promise<Record<string, unknown> & { ok: boolean }>
  /** Sends a test message through a channel; throws (e.g. ChannelError) when it fails. */
  testChannel: (channelId: string) => Promise<'sent' | 'logged' | void>
  previewDigest: (week: string) => Promise<unknown>
  /** Claim discovery (services/claim-discovery.ts): the address judged, then a worker's crawl; absent, the route answers 503. */
  discoverClaims?: (request: DiscoverRequest) => Promise<Discovery>
  /** Caches the promise list and status for a moment (KEPT_API_CACHE_MS); none in tests that write behind the API's back. */
  readCache?: ReadCache
  /** "Build by clicking": sessions of the control plane's own Chromium (src/builder); absent, the routes answer 503. */
  builder?: BuilderSessions
  logger?: Logger
}
