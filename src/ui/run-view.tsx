import { DataTable } from './table.tsx'
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
    <DataTable caption={props.caption} columns={[{ label: 'Line', num: true }, 'Step', 'Result', { label: 'Time', num: true }, { label: 'Clicks', num: true }]}>
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
    </DataTable>
  )
}
