import type { Budgets } from './budget.ts'
import { extractClaims, type Claim, type ClaimKind } from './claims/extract.ts'

// Budgets suggested by a promise's own words: "Order online in 3 clicks"
// suggests max 3 clicks, "checkout in under a minute" max 60 seconds. The
// words are read as a page's claims are (claims/extract.ts): one vocabulary
// for the form, the API and discovery. A suggestion: the owner confirms it.

/** The budget a claim of this kind limits. */
export const budgetOfClaim = (kind: ClaimKind) => (kind === 'clicks' ? 'maxClicks' : 'maxSeconds')

/** The first claim of each kind in the words, as budgets. */
export function suggestBudgets(words: string): Budgets {
  const budgets: Budgets = {}
  for (const claim of extractClaims(words, { pageUrl: '' })) budgets[budgetOfClaim(claim.kind)] ??= claim.value
  return budgets
}

/**
 * The promise a claim found on a page suggests: its sentence as the title
 * (without the closing stop), and its number as the budget, with the other
 * kind's when the same sentence claims both ("in 3 clicks and under a minute").
 */
export function suggestedPromise(claim: Pick<Claim, 'kind' | 'value' | 'text'>): { title: string; budgets: Budgets } {
  const title = claim.text.replace(/^…/, '').replace(/[\s.!…]+$/u, '')
  return { title, budgets: { ...suggestBudgets(claim.text), [budgetOfClaim(claim.kind)]: claim.value } }
}
