import type { Budgets } from '../budget.ts'
import type { Outcome, StepResult } from '../run.ts'
import type { Claim, ClaimKind } from './extract.ts'

// Claim drift: the site tells customers less than they live ("order in 3
// clicks" on the home page, 5 clicks measured), or less than the promise
// registered in Kept allows (3 on the page, 6 allowed). Judged on every
// walk from the claims the walk read on its pages (and the promise's
// claimUrl); pure: the recorder keeps the result on the promise.

export interface DriftFigure {
  kind: ClaimKind
  value: number
}

export interface ClaimDrift {
  claimed: DriftFigure
  /** What the walk measured: its clicks, or its seconds. */
  measured: DriftFigure
  /** The budget the promise registered for that kind, if any. */
  registered: DriftFigure | null
  /** The site's sentence, as written. */
  text: string
  pageUrl: string
  /** ISO time the drift was first seen; kept while the same claim drifts. */
  since: string
}

export interface DriftWalk {
  outcome: Outcome
  clicks: number
  durationMs: number
  steps: Pick<StepResult, 'outcome'>[]
  /** The claims read on the walk's pages; undefined: the walk read none (an old worker, a code check without pages read). */
  claims?: Claim[]
}

/** The registered limit of a claim's kind: max clicks, or max seconds in all. */
function registeredFor(kind: ClaimKind, budgets: Budgets): number | undefined {
  return kind === 'clicks' ? budgets.maxClicks : budgets.maxSeconds
}

/** What the walk measured for a kind: clicks, or seconds to a tenth. */
function measuredFor(kind: ClaimKind, walk: DriftWalk): number {
  return kind === 'clicks' ? walk.clicks : Math.round(walk.durationMs / 100) / 10
}

/**
 * The drift after this walk, or null when the site's words and the
 * experience agree. An error walk (ours) and a walk that stopped at a
 * failed step (its clicks and time are not the journey's) keep the
 * previous judgment, unless they found a drift of their own words: the
 * copy read on a page is what it is. A drift that goes on keeps its
 * `since`; a different claim starts anew.
 */
export function judgeDrift(input: { walk: DriftWalk; budgets: Budgets; previous: ClaimDrift | null; now: Date }): ClaimDrift | null {
  const { walk, budgets, previous } = input
  if (walk.outcome === 'error' || walk.claims === undefined) return previous
  const complete = !walk.steps.some((s) => s.outcome === 'failed')
  let worst: { claim: Claim; gap: number; measured: number; registered: number | undefined } | null = null
  for (const claim of walk.claims) {
    const registered = registeredFor(claim.kind, budgets)
    const measured = measuredFor(claim.kind, walk)
    const over = Math.max(complete ? measured : 0, registered ?? 0)
    if (over <= claim.value) continue
    const gap = claim.value > 0 ? over / claim.value : Number.POSITIVE_INFINITY
    if (!worst || gap > worst.gap) worst = { claim, gap, measured, registered }
  }
  if (!worst) return complete ? null : previous
  const { claim, measured, registered } = worst
  const same = previous && previous.claimed.kind === claim.kind && previous.claimed.value === claim.value && previous.text === claim.text
  return {
    claimed: { kind: claim.kind, value: claim.value },
    measured: { kind: claim.kind, value: complete ? measured : (previous?.measured.value ?? measured) },
    registered: registered === undefined ? null : { kind: claim.kind, value: registered },
    text: claim.text,
    pageUrl: claim.pageUrl,
    since: same ? previous.since : input.now.toISOString(),
  }
}

/** Whether a drift changed enough to tell the owner: it started, or it cleared. */
export function driftChange(before: ClaimDrift | null, after: ClaimDrift | null): 'started' | 'cleared' | null {
  if (!before && after) return 'started'
  if (before && !after) return 'cleared'
  if (before && after && before.since !== after.since) return 'started'
  return null
}

/** "3 clicks", "60 s": a figure in the words the pages use. */
export function driftFigure(f: DriftFigure): string {
  return f.kind === 'clicks' ? `${f.value} click${f.value === 1 ? '' : 's'}` : `${f.value} s`
}

/** The drift in one sentence: what the site says, what customers live, what the promise allows. */
export function driftSentence(d: ClaimDrift): string {
  const parts: string[] = []
  if (d.measured.value > d.claimed.value) parts.push(`customers need ${driftFigure(d.measured)}`)
  if (d.registered && d.registered.value > d.claimed.value) parts.push(`the promise registered in Kept allows ${driftFigure(d.registered)}`)
  return `The site says “${d.text}” (${driftFigure(d.claimed)}), but ${parts.join(' and ')}.`
}
