import type { Outcome } from './run.ts'

// The break state machine: which runs open an incident ("break") and
// which resolve it. Pure; the recorder persists its state on the promise
// row, so a restart continues where it stopped and never re-opens.
//
// Displayed state: the outcome of the last counted run. A promise shows
// 'broken' as soon as its last counted run was broken, even before the
// confirmation run opens a break: the page must not say "kept" while the
// journey is failing. Error runs (our own failures) are not counted.

export type BreakDisplayState = 'pending' | 'kept' | 'at_risk' | 'broken'

export interface BreakState {
  state: BreakDisplayState
  consecutiveBroken: number
  consecutiveKept: number
  openBreakId: string | null
}

export interface BreakThresholds {
  /** Consecutive broken runs (the confirmation run included) that open a break. */
  breakAfter: number
  /** Consecutive kept or at-risk runs that resolve an open break. */
  resolveAfter: number
}

export const DEFAULT_THRESHOLDS: BreakThresholds = { breakAfter: 2, resolveAfter: 1 }

export const INITIAL_BREAK_STATE: BreakState = {
  state: 'pending',
  consecutiveBroken: 0,
  consecutiveKept: 0,
  openBreakId: null,
}

export type BreakEvent = { type: 'open'; breakId: string } | { type: 'resolve'; breakId: string }

export interface BreakStep {
  next: BreakState
  event: BreakEvent | null
}

/**
 * Feed one run outcome to the machine. `newBreakId` is the id the break
 * gets if this run opens one (chosen by the caller, so this stays pure).
 */
export function nextBreakState(
  current: BreakState,
  outcome: Outcome,
  newBreakId: string,
  thresholds: BreakThresholds = DEFAULT_THRESHOLDS,
): BreakStep {
  checkThresholds(thresholds)
  if (outcome === 'error') return { next: current, event: null }

  if (outcome === 'broken') {
    const consecutiveBroken = current.consecutiveBroken + 1
    const opens = current.openBreakId === null && consecutiveBroken >= thresholds.breakAfter
    return {
      next: {
        state: 'broken',
        consecutiveBroken,
        consecutiveKept: 0,
        openBreakId: opens ? newBreakId : current.openBreakId,
      },
      event: opens ? { type: 'open', breakId: newBreakId } : null,
    }
  }

  const consecutiveKept = current.consecutiveKept + 1
  const resolved = current.openBreakId !== null && consecutiveKept >= thresholds.resolveAfter
  return {
    next: {
      state: outcome,
      consecutiveBroken: 0,
      consecutiveKept,
      openBreakId: resolved ? null : current.openBreakId,
    },
    event: resolved && current.openBreakId !== null ? { type: 'resolve', breakId: current.openBreakId } : null,
  }
}

function checkThresholds({ breakAfter, resolveAfter }: BreakThresholds): void {
  if (!Number.isInteger(breakAfter) || breakAfter < 1) {
    throw new RangeError(`breakAfter: expected an integer of at least 1, got ${breakAfter}`)
  }
  if (!Number.isInteger(resolveAfter) || resolveAfter < 1) {
    throw new RangeError(`resolveAfter: expected an integer of at least 1, got ${resolveAfter}`)
  }
}
