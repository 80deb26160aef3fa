import type { Child } from 'hono/jsx'
import { can, type Principal } from '../auth/permissions.ts'
import type { BreakAlert } from '../alerts/history.ts'
import type { breakNotes, breaks, runs } from '../db/schema.ts'
import { formatDuration, formatTime } from './format.ts'
import { Badge, Csrf, Layout, Notice, Time } from './layout.tsx'
import { failureText } from './run-view.tsx'
import { TraceLinks } from './trace-links.tsx'

// One break, where an alert's "break" link lands: what happened in time
// order (opened, confirmed, each alert, acknowledged, notes, resolved), its
// evidence, and the forms to acknowledge it and add a note.

type BreakRow = typeof breaks.$inferSelect
type NoteRow = typeof breakNotes.$inferSelect
type RunRow = Pick<typeof runs.$inferSelect, 'id' | 'trigger' | 'outcome' | 'startedAt' | 'screenshotPath' | 'tracePath' | 'confirmOf'>

export interface BreakPageData {
  brk: BreakRow
  promise: { id: string; title: string }
  runs: RunRow[]
  alerts: BreakAlert[]
  notes: NoteRow[]
  secureContext: boolean
}

interface Entry {
  at: Date
  order: number
  body: Child
}

const alertWords: Record<BreakAlert['kind'], string> = { opened: 'Alert', reminder: 'Reminder', resolved: 'All-clear' }

function alertEntry(a: BreakAlert): Child {
  const what = alertWords[a.kind]
  if (a.status === 'sent') return <>{what} sent to {a.channel}.</>
  if (a.status === 'logged') {
    return (
      <>
        {what} email for {a.channel} kept in the <a href="/alerts#outbox">outbox</a> ({a.error}).
      </>
    )
  }
  if (a.status === 'failed') {
    return (
      <>
        {what} to {a.channel} <strong>failed</strong> after {a.attempts} {a.attempts === 1 ? 'try' : 'tries'}: {a.error}
      </>
    )
  }
  if (a.status === 'cancelled') return <>{what} to {a.channel} not sent: no longer needed.</>
  return (
    <>
      {what} to {a.channel} pending{a.error ? `: ${a.error}` : a.attempts > 0 ? ` (tried ${a.attempts} times)` : ''}.
    </>
  )
}

function timeline(data: BreakPageData): Entry[] {
  const { brk } = data
  const runLink = (id: string | null, words: string) => (id ? <a href={`/runs/${id}`}>{words}</a> : <>{words}</>)
  const entries: Entry[] = []
  const first = data.runs.find((r) => r.id === brk.firstRunId)
  if (first && first.id !== brk.openedByRunId) {
    entries.push({ at: first.startedAt, order: 0, body: <>{runLink(first.id, 'A broken run')}: the first of the streak.</> })
  }
  const opener = data.runs.find((r) => r.id === brk.openedByRunId)
  entries.push({
    at: brk.openedAt,
    order: 1,
    body: (
      <>
        <strong>Break opened</strong> by {runLink(brk.openedByRunId, opener?.trigger === 'confirm' ? 'the confirmation run' : 'a broken run')}
        {failureText(brk.failure) ? <>: {failureText(brk.failure)}</> : '.'}
      </>
    ),
  })
  for (const a of data.alerts) entries.push({ at: a.at, order: 2, body: alertEntry(a) })
  if (brk.acknowledgedAt) {
    entries.push({ at: brk.acknowledgedAt, order: 3, body: <><strong>Acknowledged</strong> by {brk.acknowledgedBy ?? 'someone'}.</> })
  }
  for (const n of data.notes) {
    entries.push({
      at: n.createdAt,
      order: 4,
      body: (
        <>
          {n.public ? 'Public note' : 'Note'} by <strong>{n.author}</strong>: <span class="note-body">{n.body}</span>
        </>
      ),
    })
  }
  if (brk.resolvedAt) {
    entries.push({ at: brk.resolvedAt, order: 5, body: <><strong>Resolved</strong>: {runLink(brk.resolvedByRunId, 'a kept run')}.</> })
  }
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime() || a.order - b.order)
}

export function BreakPage(props: { principal: Principal; csrfToken: string | null; data: BreakPageData; now: Date; notice?: string }) {
  const { brk, promise } = props.data
  const canAck = can(props.principal.role, 'break.ack')
  const opener = props.data.runs.find((r) => r.id === brk.openedByRunId) ?? props.data.runs.find((r) => r.id === brk.firstRunId)
  const lasted = formatDuration((brk.resolvedAt ?? props.now).getTime() - brk.openedAt.getTime())
  return (
    <Layout title={`Break of ${promise.title}`} principal={props.principal} csrfToken={props.csrfToken} nav="breaks">
      <p class="small">
        <a href="/breaks">← All breaks</a>
      </p>
      <h1>
        Break of “<a href={`/promises/${promise.id}`}>{promise.title}</a>”
      </h1>
      <p>
        {brk.resolvedAt ? <Badge state="kept" /> : <Badge state="broken" />}{' '}
        <span class="small">{brk.resolvedAt ? `Resolved after ${lasted}` : `Open for ${lasted} so far`}</span>
        {brk.acknowledgedAt ? <span class="small muted"> · acknowledged by {brk.acknowledgedBy}</span> : null}
      </p>
      <Notice notice={props.notice} />
      {failureText(brk.failure) ? (
        <p class="notice bad" role="status">
          Why it broke: {failureText(brk.failure)}
        </p>
      ) : null}
      {canAck && !brk.acknowledgedAt && !brk.resolvedAt ? (
        <form method="post" action={`/breaks/${brk.id}/ack`} class="actions">
          <Csrf token={props.csrfToken} />
          <button class="btn" type="submit">
            Acknowledge: I am on it
          </button>
          <span class="small muted">Stops the reminders.</span>
        </form>
      ) : null}
      <h2>What happened</h2>
      <ol class="timeline">
        {timeline(props.data).map((e) => (
          <li>
            <Time at={e.at}>{formatTime(e.at)}</Time> <span>{e.body}</span>
          </li>
        ))}
      </ol>
      {canAck ? (
        <form method="post" action={`/breaks/${brk.id}/notes`} class="stack card">
          <Csrf token={props.csrfToken} />
          <label for="note">Add a note (what you found, what you did)</label>
          <textarea id="note" name="body" rows={3} maxlength={2000} required></textarea>
          <label class="choice">
            <input type="checkbox" name="public" value="1" />
            Show it to customers on the public status page (when the promise is public)
          </label>
          <div>
            <button class="btn secondary" type="submit">
              Add note
            </button>
          </div>
        </form>
      ) : null}
      <h2>Evidence</h2>
      {opener ? (
        <>
          <p class="small">
            From <a href={`/runs/${opener.id}`}>the run that opened it</a>, <Time at={opener.startedAt}>{formatTime(opener.startedAt)}</Time>.
          </p>
          {opener.screenshotPath ? (
            <figure class="shot-frame">
              <img class="shot" src={`/api/v1/runs/${opener.id}/screenshot`} alt="The page where the journey broke" width={1280} height={720} />
            </figure>
          ) : (
            <p class="muted">No screenshot.</p>
          )}
          {opener.tracePath ? <TraceLinks runId={opener.id} secureContext={props.data.secureContext} /> : null}
        </>
      ) : (
        <p class="muted">The run that opened it is no longer on record.</p>
      )}
    </Layout>
  )
}
