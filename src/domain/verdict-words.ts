import type { Budgets } from './budget.ts'
import { formatSeconds, formatSecondsAgainst as secondsAgainst, formatShortTime } from './format.ts'
import type { Failure, Outcome, StepResult, Vitals } from './run.ts'

// A walk's verdict in the marketing owner's words: her numbers against what
// customers lived ("3 of 4 clicks allowed"), and when it broke, one sentence
// that says what customers meet and what she can do about it ("Customers
// need 3 clicks — Shop now → Add to cart → Place order — you promise 2").
// Also the note she hands the tech team. Pure: the pages render it.

export interface WalkFacts {
  outcome: Outcome
  clicks: number
  durationMs: number
  steps: StepResult[]
  failure: Failure | null
  vitals?: Vitals
}

export interface VerdictWords {
  /** What customers meet, in one sentence. */
  sentence: string
  /** What the owner can do about it; null when there is nothing to do. */
  advice: string | null
}

/**
 * Each set budget against what the walk measured: "3 of 4 clicks allowed",
 * "2.2 s of 60 s allowed"; one over its limit says so: "3 clicks, 2 allowed".
 */
export function budgetUseWords(walk: WalkFacts, budgets: Budgets): string[] {
  const words: string[] = []
  const use = (actual: number, limit: number, within: string, over: string) => words.push(actual > limit ? over : within)
  const { maxClicks, maxSeconds, maxStepSeconds, maxLcpMs, maxA11yViolations } = budgets
  if (maxClicks !== undefined) use(walk.clicks, maxClicks, `${walk.clicks} of ${plural(maxClicks, 'click')} allowed`, `${plural(walk.clicks, 'click')}, ${maxClicks} allowed`)
  if (maxSeconds !== undefined) {
    const s = secondsOf(walk.durationMs)
    use(walk.durationMs / 1000, maxSeconds, `${s} of ${maxSeconds} s allowed`, `${s}, ${maxSeconds} s allowed`)
  }
  const slow = slowest(walk.steps)
  if (maxStepSeconds !== undefined && slow) {
    const s = secondsOf(slow.durationMs)
    use(slow.durationMs / 1000, maxStepSeconds, `slowest step ${s} of ${maxStepSeconds} s allowed`, `slowest step ${s}, ${maxStepSeconds} s allowed`)
  }
  const lcp = walk.vitals?.lcpMs
  if (maxLcpMs !== undefined && lcp !== undefined) {
    const s = secondsOf(lcp)
    use(lcp, maxLcpMs, `main content shown in ${s} of ${maxLcpMs / 1000} s allowed`, `main content shown in ${s}, ${maxLcpMs / 1000} s allowed`)
  }
  const a11y = walk.vitals?.a11yViolations
  if (maxA11yViolations !== undefined && a11y !== undefined) {
    use(a11y, maxA11yViolations, `${a11y} of ${plural(maxA11yViolations, 'accessibility issue')} allowed`, `${plural(a11y, 'accessibility issue')}, ${maxA11yViolations} allowed`)
  }
  return words
}

/** The verdict as a sentence, with what to do. */
export function verdictWords(walk: WalkFacts, budgets: Budgets): VerdictWords {
  const { failure } = walk
  if (walk.outcome === 'error') {
    return {
      sentence: `Kept could not walk the journey: ${failure?.message ?? 'the monitor failed'}.`,
      advice: 'This is Kept’s own problem, not the site’s: nothing to tell the tech team about the site. Whoever runs Kept can look at its workers.',
    }
  }
  if (walk.outcome === 'broken' && failure) {
    if (failure.kind === 'budget') return budgetBroken(walk, failure)
    if (failure.kind === 'step') return stepBroken(walk, failure)
  }
  const uses = budgetUseWords(walk, budgets)
  const measured = uses.length ? uses.join(', ') : `every step passed (${plural(walk.clicks, 'click')}, ${secondsOf(walk.durationMs)})`
  if (walk.outcome === 'at_risk') {
    const slow = slowest(walk.steps)
    return {
      sentence: `Kept, but close to a time budget: ${measured}.`,
      advice: slow
        ? `The slowest step is ${quoteStep(slow)} (${secondsOf(slow.durationMs)}): ask the tech team to look at it before it breaks.`
        : 'Ask the tech team to look at it before it breaks.',
    }
  }
  return { sentence: `Kept: ${measured}.`, advice: null }
}

function budgetBroken(walk: WalkFacts, failure: Failure): VerdictWords {
  const limit = failure.limit ?? 0
  const actual = failure.actual ?? 0
  const slow = slowest(walk.steps)
  const at = failure.line != null ? walk.steps.find((s) => s.line === failure.line) : undefined
  switch (failure.budget) {
    case 'maxClicks': {
      const path = clickPath(walk.steps)
      return {
        sentence: `Customers need ${plural(actual, 'click')}${path ? ` — ${path} —` : ','} you promise ${limit}.`,
        advice: `Promise ${actual}, or ask the tech team to remove ${actual - limit === 1 ? 'a step' : `${actual - limit} steps`}${at ? ` (the first click over is ${quoteStep(at)})` : ''}.`,
      }
    }
    case 'maxSeconds':
      return {
        sentence: `Customers wait ${secondsAgainst(actual, limit)} from the first page to the last step${slow ? ` — the slowest step is ${quoteStep(slow)}, ${secondsOf(slow.durationMs)} —` : ','} you promise ${limit} s.`,
        advice: `Ask the tech team to make ${slow ? quoteStep(slow) : 'the journey'} faster, or promise ${roundUp(actual, 5)} s.`,
      }
    case 'maxStepSeconds': {
      const step = at ?? slow
      return {
        sentence: `One step keeps customers waiting ${secondsAgainst(actual, limit)}${step ? ` — ${quoteStep(step)} —` : ','} you promise at most ${limit} s a step.`,
        advice: `Ask the tech team to make ${step ? quoteStep(step) : 'that step'} faster.`,
      }
    }
    case 'maxLcpMs':
      return {
        sentence: `The page’s main content took ${secondsAgainst(actual / 1000, limit / 1000)} to show, you promise ${limit / 1000} s.`,
        advice: 'Ask the tech team to make the main picture or text show sooner (largest contentful paint).',
      }
    case 'maxA11yViolations':
      return {
        sentence: `Customers using a screen reader or a keyboard meet ${plural(actual, 'accessibility issue')} on the way, you allow ${limit}.`,
        advice: 'Ask the tech team to fix them: the Playwright trace shows the pages.',
      }
    default:
      return { sentence: `The promise was broken: ${failure.message}.`, advice: 'Ask the tech team to look at the run.' }
  }
}

function stepBroken(walk: WalkFacts, failure: Failure): VerdictWords {
  const step = walk.steps.find((s) => s.line === failure.line) ?? walk.steps.find((s) => s.outcome === 'failed')
  const where = step ? `line ${step.line}, ${quoteStep(step)}` : failure.line != null ? `line ${failure.line}` : 'a step'
  return {
    sentence: `Customers cannot get past ${where}: ${failure.message}.`,
    advice: 'Ask the tech team to fix it; if the site changed on purpose, change the journey instead.',
  }
}

/**
 * What the marketing owner hands the tech team: the promise, what broke,
 * where, and the run's link. Plain text, for an email or a chat.
 */
export function techTeamNote(input: {
  title: string
  budgets: Budgets
  walk: WalkFacts
  startedAt: Date
  runUrl: string | null
}): string {
  const { walk } = input
  const verdict = verdictWords(walk, input.budgets)
  const lines = [`Promise: “${input.title}”${budgetsInWords(input.budgets) ? ` (${budgetsInWords(input.budgets)})` : ''}`]
  lines.push(`${OUTCOME_WORDS[walk.outcome]} on the walk of ${formatShortTime(input.startedAt)}: ${verdict.sentence}`)
  const where = walk.failure?.line != null ? walk.steps.find((s) => s.line === walk.failure!.line) : undefined
  if (where) lines.push(`Where: line ${where.line}, ${where.text}`)
  if (verdict.advice && walk.outcome !== 'kept') lines.push(`What is asked: ${verdict.advice}`)
  lines.push('Steps:')
  for (const s of walk.steps) {
    lines.push(`  ${s.line}. ${s.text} — ${s.outcome}, ${secondsOf(s.durationMs)}${s.clicks ? `, ${plural(s.clicks, 'click')}` : ''}`)
  }
  if (input.runUrl) lines.push(`The run, with its screenshot and Playwright trace: ${input.runUrl}`)
  return lines.join('\n')
}

const OUTCOME_WORDS: Record<Outcome, string> = { kept: 'Kept', at_risk: 'At risk', broken: 'Broken', error: 'Not walked (Kept’s error)' }

/** "at most 3 clicks, 60 s in all": the budgets as the promise page says them. */
export function budgetsInWords(b: Budgets): string {
  const parts: string[] = []
  if (b.maxClicks !== undefined) parts.push(`at most ${plural(b.maxClicks, 'click')}`)
  if (b.maxSeconds !== undefined) parts.push(`${b.maxSeconds} s in all`)
  if (b.maxStepSeconds !== undefined) parts.push(`${b.maxStepSeconds} s a step`)
  if (b.maxLcpMs !== undefined) parts.push(`main content within ${b.maxLcpMs / 1000} s`)
  if (b.maxA11yViolations !== undefined) parts.push(`${plural(b.maxA11yViolations, 'accessibility issue')} allowed`)
  return parts.join(', ')
}

/** The steps that clicked, by what they clicked: "Shop now → Add to cart → Place order"; long paths keep both ends. */
export function clickPath(steps: StepResult[]): string {
  const names: string[] = []
  for (const step of steps) {
    const clicks = step.clicks ?? 0
    if (clicks > 0) names.push(clicks === 1 ? stepTarget(step) : `${stepTarget(step)} ×${clicks}`)
  }
  if (names.length > 8) return [...names.slice(0, 4), '…', ...names.slice(-3)].join(' → ')
  return names.join(' → ')
}

/** What a step acts on: the first quoted text of its line (click "Shop now" → Shop now), else its words. */
export function stepTarget(step: Pick<StepResult, 'text'>): string {
  const quoted = /["“]((?:[^"”\\]|\\.)+)["”]/.exec(step.text)
  return quoted ? quoted[1]!.replace(/\\(.)/g, '$1') : step.text
}

/** `click "Place order"` as a sentence names it. */
function quoteStep(step: StepResult): string {
  return step.text.length > 80 ? `${step.text.slice(0, 79)}…` : step.text
}

function slowest(steps: StepResult[]): StepResult | null {
  return steps.reduce<StepResult | null>((slow, s) => (s.outcome !== 'skipped' && (slow === null || s.durationMs > slow.durationMs) ? s : slow), null)
}

const secondsOf = (ms: number) => formatSeconds(ms)

const roundUp = (n: number, step: number) => Math.ceil(n / step) * step

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
