import { AT_RISK_SHARE, type BudgetKey, type Budgets } from './budget.ts'
import { formatSecondsAgainst as seconds } from './format.ts'
import type { Failure, Outcome, StepResult, Vitals } from './run.ts'

// The judgment of one run against its promise's budgets. Pure: the runner
// measures, this decides. In a failure, `limit` and `actual` are in the
// budget's own unit: seconds for the *Seconds keys, milliseconds for
// maxLcpMs, counts otherwise.

/** What a walk of a journey measured, before judgment. */
export interface Measured {
  steps: StepResult[]
  clicks: number
  durationMs: number
  vitals: Vitals
  /** Our own failure (browser crash, infrastructure timeout): never the promise's fault. */
  error?: string | null
}

export interface Verdict {
  outcome: Outcome
  /** The first failure: what the run is broken (or an error) for. */
  failure: Failure | null
  /** Every failure in order: the failed step's, then each exceeded budget's. The first is `failure`. */
  failures: Failure[]
}

interface BudgetUse {
  budget: BudgetKey
  limit: number
  actual: number
  line: number | null
  message: string
}

/**
 * Judges a run: an error of ours stands alone; otherwise the failed step
 * comes first, then every budget the run exceeded (also when a step
 * failed after a budget was already blown: both are told).
 */
export function judgeRun(measured: Measured, budgets: Budgets): Verdict {
  if (measured.error != null) {
    const error = failure('error', { message: measured.error || 'the monitor failed' })
    return { outcome: 'error', failure: error, failures: [error] }
  }

  const failures: Failure[] = []
  const failed = measured.steps.find((step) => step.outcome === 'failed')
  if (failed) failures.push(failure('step', { line: failed.line, message: failed.error || `the step on line ${failed.line} failed` }))

  const uses = budgetUses(measured, budgets)
  for (const { budget, limit, actual, line, message } of uses) {
    if (actual > limit) failures.push(failure('budget', { budget, limit, actual, line, message }))
  }
  if (failures.length > 0) return { outcome: 'broken', failure: failures[0]!, failures }

  const atRisk = uses.some((use) => TIME_BUDGETS.has(use.budget) && use.actual / use.limit > AT_RISK_SHARE + 1e-9)
  return { outcome: atRisk ? 'at_risk' : 'kept', failure: null, failures: [] }
}

/** The line of the step whose click went over the budget: where the journey has one step too many. */
function firstClickOver(steps: StepResult[], maxClicks: number): number | null {
  let clicks = 0
  for (const step of steps) {
    clicks += step.clicks ?? 0
    if (clicks > maxClicks) return step.line
  }
  return null
}

// Clicks are whole: a click budget met exactly is kept, never "at risk".
const TIME_BUDGETS = new Set<BudgetKey>(['maxSeconds', 'maxStepSeconds', 'maxLcpMs'])

function failure(kind: Failure['kind'], fields: Partial<Failure> & { message: string }): Failure {
  return { kind, budget: null, limit: null, actual: null, line: null, ...fields }
}

/** Each set budget with what the run measured for it, in the order they are judged. */
function budgetUses(measured: Measured, budgets: Budgets): BudgetUse[] {
  const uses: BudgetUse[] = []
  const { maxClicks, maxSeconds, maxStepSeconds, maxLcpMs, maxA11yViolations } = budgets

  if (maxClicks != null) {
    const actual = measured.clicks
    uses.push({
      budget: 'maxClicks',
      limit: maxClicks,
      actual,
      line: firstClickOver(measured.steps, maxClicks),
      message: `took ${plural(actual, 'click')}, the promise allows ${maxClicks}`,
    })
  }
  const slowest = measured.steps.reduce<StepResult | null>((slow, step) => (slow === null || step.durationMs > slow.durationMs ? step : slow), null)
  if (maxSeconds != null) {
    const actual = measured.durationMs / 1000
    // The journey's time is named by its slowest step: where the time went.
    const where = slowest && slowest.durationMs > 0 ? `; the slowest step, on line ${slowest.line}, took ${seconds(slowest.durationMs / 1000, maxSeconds)}` : ''
    uses.push({
      budget: 'maxSeconds',
      limit: maxSeconds,
      actual,
      line: where ? slowest!.line : null,
      message: `took ${seconds(actual, maxSeconds)}, the promise allows ${maxSeconds} s${where}`,
    })
  }
  if (maxStepSeconds != null) {
    if (slowest !== null) {
      const actual = slowest.durationMs / 1000
      uses.push({
        budget: 'maxStepSeconds',
        limit: maxStepSeconds,
        actual,
        line: slowest.line,
        message: `step on line ${slowest.line} took ${seconds(actual, maxStepSeconds)}, the budget is ${maxStepSeconds} s per step`,
      })
    }
  }
  // Vitals are judged only when measured: a page without LCP is not a breach.
  const { lcpMs, a11yViolations } = measured.vitals
  if (maxLcpMs != null && lcpMs != null) {
    uses.push({
      budget: 'maxLcpMs',
      limit: maxLcpMs,
      actual: lcpMs,
      line: null,
      message: `the largest contentful paint came after ${seconds(lcpMs / 1000, maxLcpMs / 1000)}, the budget is ${maxLcpMs / 1000} s`,
    })
  }
  if (maxA11yViolations != null && a11yViolations != null) {
    uses.push({
      budget: 'maxA11yViolations',
      limit: maxA11yViolations,
      actual: a11yViolations,
      line: null,
      message: `found ${plural(a11yViolations, 'accessibility violation')}, the budget allows ${maxA11yViolations}`,
    })
  }
  return uses
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
