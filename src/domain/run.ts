import type { BudgetKey } from './budget.ts'
import type { Claim } from './claims/extract.ts'

export type Outcome = 'kept' | 'at_risk' | 'broken' | 'error'
export type StepOutcome = 'passed' | 'failed' | 'skipped'
export const PROMISE_STATES = ['pending', 'kept', 'at_risk', 'broken', 'paused', 'overdue'] as const
export type PromiseState = (typeof PROMISE_STATES)[number]
/** The break state machine's own states, as stored. */
export type StoredState = 'pending' | 'kept' | 'at_risk' | 'broken'

/**
 * The state a promise shows: paused, else overdue (no walk for two
 * intervals: its last verdict is old news), else its stored state. An open
 * break stays "broken" when overdue: it is still the last thing known.
 */
export function shownState(p: { paused: boolean; state: StoredState; overdueSince: Date | null }): PromiseState {
  if (p.paused) return 'paused'
  if (p.overdueSince && p.state !== 'broken') return 'overdue'
  return p.state
}
export type RunTrigger = 'schedule' | 'manual' | 'confirm' | 'test'

export interface StepResult {
  /** 1-based line of the journey text; for code checks, the step's order. */
  line: number
  text: string
  outcome: StepOutcome
  durationMs: number
  clicks?: number
  error?: string | null
}

export interface Failure {
  kind: 'step' | 'budget' | 'error'
  budget?: BudgetKey | null
  limit?: number | null
  actual?: number | null
  line?: number | null
  message: string
  /** A file of the run's evidence that was not kept (over its limit, the store down): said on the run, not a way it broke. */
  evidence?: boolean
}

/** Every failure of a run, in order; a run recorded before the list existed has its one failure, or none. */
export function failuresOf(run: { failure?: Failure | null; failures?: Failure[] | null }): Failure[] {
  if (run.failures && run.failures.length > 0) return run.failures
  return run.failure ? [run.failure] : []
}

/** The ways the run broke (or could not be checked), without what is said about its evidence. */
export function walkFailuresOf(run: { failure?: Failure | null; failures?: Failure[] | null }): Failure[] {
  return failuresOf(run).filter((failure) => !failure.evidence)
}

/** What the run says about evidence it could not keep. */
export function evidenceProblemsOf(run: { failures?: Failure[] | null }): string[] {
  return (run.failures ?? []).filter((failure) => failure.evidence).map((failure) => failure.message)
}

export interface Vitals {
  lcpMs?: number
  cls?: number
  a11yViolations?: number
}

/** What a worker measured in one walk of a journey. */
export interface RunResult {
  runId: string
  promiseId: string
  trigger: RunTrigger
  outcome: Outcome
  clicks: number
  durationMs: number
  startedAt: string // ISO
  finishedAt: string // ISO
  steps: StepResult[]
  failure: Failure | null
  /** Every failure in order (the step's, each budget's); the first is `failure`. Absent in results of older workers. */
  failures?: Failure[]
  vitals: Vitals
  /** Keys in the evidence store (`<runId>/screenshot.png`; paths relative to KEPT_DATA_DIR/evidence by default), or null. */
  screenshotPath: string | null
  tracePath: string | null
  /** 'redis': the files wait in Redis for the control plane to store them (src/evidence/keeper.ts). */
  evidenceVia?: 'redis'
  workerId: string
  region?: string | null
  /** For a confirmation run: the run it confirms. */
  confirmOf?: string | null
  /** The checkable claims the walk read on its pages and the promise's claimUrl (drift); absent: none were read. */
  claims?: Claim[]
}
