import type { Failure, StepResult } from '../domain/run.ts'
import { formatSeconds } from './format.ts'
import { Badge } from './layout.tsx'

// How a walk is shown: its steps with time and clicks, and why it failed.
// Shared by "Try it now" and the promise page's run history.

export function failureText(failure: Failure | null): string | null {
  if (!failure) return null
  return failure.line ? `Line ${failure.line}: ${failure.message}` : failure.message
}

export function StepsTable(props: { steps: StepResult[]; caption: string; failedLine?: number | null }) {
  if (props.steps.length === 0) return <p class="muted">No step was walked.</p>
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col" class="num">
              Line
            </th>
            <th scope="col">Step</th>
            <th scope="col">Result</th>
            <th scope="col" class="num">
              Time
            </th>
            <th scope="col" class="num">
              Clicks
            </th>
          </tr>
        </thead>
        <tbody>
          {props.steps.map((s) => (
            <tr class={s.outcome === 'failed' || s.line === props.failedLine ? 'step-failed' : undefined}>
              <td class="num">{s.line}</td>
              <td>
                <code>{s.text}</code>
                {s.error ? <div class="error">{s.error}</div> : null}
              </td>
              <td>
                <Badge state={s.outcome} />
              </td>
              <td class="num">{formatSeconds(s.durationMs)}</td>
              <td class="num">{s.clicks ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
