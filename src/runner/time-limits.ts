import type { Budgets } from '../domain/budget.ts'

// Hard limits that stop a walk which would otherwise hang. They sit above
// the budgets, so a slow step is measured (and judged against its budget)
// before it is cut off. No hidden limit: without a per-step budget, a step
// may take as long as the whole walk may (the promise's time budget).

export interface TimeLimits {
  stepMs: number
  runMs: number
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value))

export function timeLimits(budgets: Budgets, timeoutMs?: number): TimeLimits {
  const runMs = timeoutMs ?? (budgets.maxSeconds ? clamp(budgets.maxSeconds * 1500 + 10_000, 5000, 600_000) : 60_000)
  const stepMs = budgets.maxStepSeconds ? clamp(budgets.maxStepSeconds * 1500, 1000, 120_000) : runMs
  return { stepMs: Math.min(stepMs, runMs), runMs }
}
