import type { Budgets } from '../domain/budget.ts'
import type { RunTrigger } from '../domain/run.ts'
import type { Device } from '../db/schema.ts'

// Queue names of the data flow in docs/ARCHITECTURE.md. Results travel on
// a stream, not a queue (results-stream.ts).
export const QUEUES = {
  journeys: 'journeys',
  alerts: 'alerts',
  /** One job per alert delivery (or grouped message) to one channel. */
  alertDeliveries: 'alert-deliveries',
  digest: 'digest',
  maintenance: 'maintenance',
} as const

/**
 * Everything a worker needs to walk a promise. Workers never read
 * Postgres, so the spec travels in the job (and in the job scheduler's
 * template, refreshed whenever the promise changes).
 */
export interface JourneySpec {
  promiseId: string
  title: string
  /** Plain-language journey text, or null for a code check. */
  journey: string | null
  /** Code check path below checks/, e.g. "order.check.ts". */
  checkFile: string | null
  budgets: Budgets
  device: Device
  /** Secret values, each encrypted with KEPT_SECRET_KEY (see src/infra/crypto.ts). */
  secrets: Record<string, string>
  /**
   * Scheduled runs record a Playwright trace too (see src/domain/evidence.ts);
   * false when the confirmation run carries it. Absent: they do.
   */
  traceScheduled?: boolean
}

export interface JourneyJob {
  spec: JourneySpec
  trigger: RunTrigger
  /** Set for manual and confirmation runs; scheduled runs derive it from the job id. */
  runId?: string
  confirmOf?: string
}
