import { DataTable } from './table.tsx'
import type { Budgets } from '../domain/budget.ts'
import type { Failure, StepResult } from '../domain/run.ts'
import { techTeamNote, verdictWords, type WalkFacts } from '../domain/verdict-words.ts'
import { formatSeconds } from './format.ts'
import { Badge } from './layout.tsx'

// How a walk is shown: its verdict in the owner's words, its steps with
// time and clicks, and why it failed. Shared by "Try it now", the promise
// page's run history and the run page.

export function failureText(failure: Failure | null): string | null {
  if (!failure) return null
  return failure.line ? `Line ${failure.line}: ${failure.message}` : failure.message
}

/** What a budget failure says of the step it points at: the click over the budget, the slow step. */
function overBudgetWords(failure: Failure): string {
  if (failure.budget === 'maxClicks') return `The first click over the ${failure.limit} the promise allows.`
  if (failure.budget === 'maxStepSeconds') return `Slower than the ${failure.limit} s a step the promise allows.`
  return failure.message
}

/**
 * The steps of a walk. A step that failed says why; the step a broken
 * budget points at (the first click over it, the slowest step) is marked
 * "over budget" rather than a plain ✓ under a red verdict.
 */
export function StepsTable(props: { steps: StepResult[]; caption: string; failure?: Failure | null }) {
  if (props.steps.length === 0) return <p class="muted">No step was walked.</p>
  const budget = props.failure?.kind === 'budget' && props.failure.line != null ? props.failure : null
  return (
    <DataTable cards caption={props.caption} columns={[{ label: 'Line', num: true }, 'Step', 'Result', { label: 'Time', num: true }, { label: 'Clicks', num: true }]}>
      {props.steps.map((s) => {
        const over = budget !== null && budget.line === s.line && s.outcome === 'passed'
        return (
          <tr class={s.outcome === 'failed' || over ? 'step-failed' : undefined}>
            <td class="num" data-label="Line">
              {s.line}
            </td>
            <td class="card-head">
              <code class="step">{s.text}</code>
              {s.error ? <div class="error">{s.error}</div> : null}
              {over ? <div class="error">{overBudgetWords(budget)}</div> : null}
            </td>
            <td>{over ? <span class="badge b-broken">Over budget</span> : <Badge state={s.outcome} />}</td>
            <td class="num" data-label="Time">
              {formatSeconds(s.durationMs)}
            </td>
            <td class="num" data-label="Clicks">
              {s.clicks ?? '—'}
            </td>
          </tr>
        )
      })}
    </DataTable>
  )
}

/**
 * The verdict in her words: her numbers against what customers lived, or
 * the sentence that says what broke and what she can do; with the note
 * for the tech team when there is something to ask of them.
 */
/** `forTechTeam`: a broken or at-risk walk then offers "Copy for the tech team". */
export function VerdictCard(props: {
  walk: WalkFacts
  budgets: Budgets
  id: string
  forTechTeam?: { title: string; startedAt: Date; runUrl: string | null }
}) {
  const { walk } = props
  const words = verdictWords(walk, props.budgets)
  const team = props.forTechTeam
  const techNote =
    team && (walk.outcome === 'broken' || walk.outcome === 'at_risk')
      ? techTeamNote({ title: team.title, budgets: props.budgets, walk, startedAt: team.startedAt, runUrl: team.runUrl })
      : null
  const tone = walk.outcome === 'broken' ? 'bad' : walk.outcome === 'at_risk' ? 'risk' : walk.outcome === 'error' ? 'quiet' : 'good'
  return (
    <div class={`verdict ${tone}`}>
      <p class="verdict-sentence">{words.sentence}</p>
      {words.advice ? <p class="verdict-advice">{words.advice}</p> : null}
      {techNote ? <CopyNote id={props.id} text={techNote} /> : null}
    </div>
  )
}

/**
 * "Copy for the tech team": the page script copies the note and says so;
 * without a script the note is there to select.
 */
export function CopyNote(props: { id: string; text: string }) {
  const noteId = `note-${props.id}`
  return (
    <div class="copy-note">
      <button type="button" class="btn secondary small" data-copy={noteId} hidden>
        Copy for the tech team
      </button>
      <span class="small muted" role="status" aria-live="polite" data-copied={noteId}></span>
      <details>
        <summary class="small">What the tech team gets</summary>
        <pre class="note-text" id={noteId}>
          {props.text}
        </pre>
      </details>
    </div>
  )
}

/** The page as a walk left it: no larger than the text beside it, the frame as large as the picture; a click opens it whole. */
export function Screenshot(props: { src: string; alt: string; caption?: string }) {
  return (
    <figure class="shot-frame">
      <a href={props.src} title="Open the screenshot at full size">
        <img class="shot" src={props.src} alt={props.alt} loading="lazy" />
      </a>
      {props.caption ? <figcaption class="small muted">{props.caption}</figcaption> : null}
    </figure>
  )
}
