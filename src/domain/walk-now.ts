import type { Budgets } from './budget.ts'

// When a change to a promise earns a walk now, instead of waiting one
// interval: the owner who just created, resumed or rewrote a journey wants
// to see it walked. A new title or owner changes nothing a walk measures.

export interface WalkFacts {
  paused: boolean
  journey: string
  checkFile: string | null
  budgets: Budgets
  device: string
  /** Where it is walked from: new regions are walked at once. */
  regions?: readonly string[]
}

/** `before` null: the promise was just created. */
export function walksNow(before: WalkFacts | null, after: WalkFacts): boolean {
  if (after.paused) return false
  if (!before) return true
  if (before.paused) return true
  return (
    before.journey !== after.journey ||
    before.checkFile !== after.checkFile ||
    before.device !== after.device ||
    [...(before.regions ?? [])].sort().join() !== [...(after.regions ?? [])].sort().join() ||
    JSON.stringify(sortedBudgets(before.budgets)) !== JSON.stringify(sortedBudgets(after.budgets))
  )
}

function sortedBudgets(budgets: Budgets): [string, unknown][] {
  return Object.entries(budgets)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
}
