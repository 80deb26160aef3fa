import type { Budgets } from '../domain/budget.ts'
import type { Device } from '../domain/device.ts'

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
  /** A page where the site makes this promise, read after each walk for claim drift. */
  claimUrl?: string | null
  /** Secret values, each encrypted with KEPT_SECRET_KEY (see src/infra/crypto.ts). */
  secrets: Record<string, string>
  /**
   * Scheduled runs record a Playwright trace too (see src/domain/evidence.ts);
   * false when the confirmation run carries it. Absent: they do.
   */
  traceScheduled?: boolean
}
