// A budget is a measurable limit of a promise. Every key is optional;
// a promise with no budget is judged on its steps alone.
export interface Budgets {
  maxClicks?: number
  maxSeconds?: number
  maxStepSeconds?: number
  maxLcpMs?: number
  maxA11yViolations?: number
}

export type BudgetKey = keyof Budgets

export const budgetKeys: readonly BudgetKey[] = [
  'maxClicks',
  'maxSeconds',
  'maxStepSeconds',
  'maxLcpMs',
  'maxA11yViolations',
]

// A time budget used above this share makes a kept run "at risk".
export const AT_RISK_SHARE = 0.8
