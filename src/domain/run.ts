import type { BudgetKey } from './budget.ts'

export type Outcome = 'kept' | 'at_risk' | 'broken' | 'error'
export type StepOutcome = 'passed' | 'failed' | 'skipped'
export type PromiseState = 'pending' | 'kept' | 'at_risk' | 'broken' | 'paused'
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
  vitals: Vitals
  /** Paths relative to KEPT_DATA_DIR/evidence, or null. */
  screenshotPath: string | null
  tracePath: string | null
  workerId: string
  region?: string | null
  /** For a confirmation run: the run it confirms. */
  confirmOf?: string | null
}
