import type { RunTrigger } from './run.ts'

// Which runs record a Playwright trace. A trace (DOM snapshots and
// screencast frames) costs about a tenth of a journey's time and is kept
// only when a run breaks, so it is recorded where a break's alert will
// link to it. With the default thresholds a first broken scheduled run is
// walked again at once, and that confirmation run opens the break: it
// carries the trace, as Playwright's own `trace: 'on-first-retry'` does.
// Every other arrangement traces every run.

export interface TracePolicyInput {
  /** Walk a first broken run again at once (the promise's confirmBroken). */
  confirmBroken: boolean
  /** Consecutive broken runs that open a break. */
  breakAfter: number
}

/** Do scheduled runs of this promise need their own trace? */
export function traceScheduledRuns(promise: TracePolicyInput): boolean {
  return !(promise.confirmBroken && promise.breakAfter === 2)
}

/**
 * Does this run record a trace? Confirmations, manual runs and tries always
 * do; scheduled runs as the promise needs (an unknown need: they do).
 */
export function recordsTrace(trigger: RunTrigger, traceScheduled: boolean | undefined): boolean {
  return trigger !== 'schedule' || traceScheduled !== false
}
