import type { RunTrigger } from '../domain/run.ts'
import type { JourneySpec } from '../runner/journey-spec.ts'

// Queue names of the data flow in docs/ARCHITECTURE.md. Results travel on
// a stream, not a queue (results-stream.ts).
export const QUEUES = {
  journeys: 'journeys',
  alerts: 'alerts',
  /** One job per alert delivery (or grouped message) to one channel. */
  alertDeliveries: 'alert-deliveries',
  digest: 'digest',
  maintenance: 'maintenance',
  /** Claim discovery: a crawl of a site, walked by journey workers (discovery.ts). */
  discoveries: 'discoveries',
} as const

export type { JourneySpec } from '../runner/journey-spec.ts'

export interface JourneyJob {
  spec: JourneySpec
  trigger: RunTrigger
  /** Set for manual and confirmation runs; scheduled runs derive it from the job id. */
  runId?: string
  confirmOf?: string
}
