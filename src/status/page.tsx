import { formatDuration, formatRate, formatShortTime } from '../domain/format.ts'
import { PUBLIC_STATE_WORDS, STATUS_DAYS, dayRuns, describeDays, shortDate, type DayState, type StatusDay } from '../domain/status.ts'
import { STYLESHEET_URL } from '../ui/assets/index.ts'
import { HtmlDocument } from '../ui/html-document.tsx'
import type { Incident, MaintenanceAhead, StatusData, StatusPromise } from './load.ts'

// The public status page: no sign-in, no script, readable by screen
// readers; each promise's state in words (never colour alone), its 90-day
// history as one small drawing, incidents with their public notes, and
// maintenance ahead.

const BAR_HEIGHT = 28
const DAY_WIDTH = 4

const DAY_WORDS: Record<DayState, string> = { kept: 'kept', partial: 'broken for a while', broken: 'broken', none: 'not checked' }

function History(props: { days: StatusDay[] }) {
  const width = props.days.length * DAY_WIDTH
  const label = describeDays(props.days)
  return (
    <svg class="status-bars" viewBox={`0 0 ${width} ${BAR_HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={label}>
      <title>{label}</title>
      {dayRuns(props.days).map((run) => {
        const first = props.days[run.from]!
        const last = props.days[run.from + run.count - 1]!
        const when = run.count === 1 ? shortDate(first.date) : `${shortDate(first.date)} to ${shortDate(last.date)}`
        const minutes = run.count === 1 && first.brokenMinutes > 0 ? `, ${formatDuration(first.brokenMinutes * 60_000)}` : ''
        return (
          <rect class={`day-${run.state}`} x={run.from * DAY_WIDTH} y={run.state === 'none' ? BAR_HEIGHT - 4 : 0} width={run.count * DAY_WIDTH} height={run.state === 'none' ? 4 : BAR_HEIGHT}>
            <title>{`${when}: ${DAY_WORDS[run.state]}${minutes}`}</title>
          </rect>
        )
      })}
    </svg>
  )
}

function PromiseItem(props: { promise: StatusPromise }) {
  const p = props.promise
  return (
    <li class="status-item" id={`promise-${p.id}`}>
      <div class="status-row">
        <h3>{p.title}</h3>
        <span class={`badge s-${p.state}`}>{PUBLIC_STATE_WORDS[p.state]}</span>
      </div>
      <History days={p.days} />
      <p class="status-scale small muted">
        <span>{STATUS_DAYS} days ago</span>
        <span>{p.keptRate === null ? 'no walk counted' : `${formatRate(p.keptRate)} kept`}</span>
        <span>today</span>
      </p>
    </li>
  )
}

function IncidentItem(props: { incident: Incident; now: Date }) {
  const i = props.incident
  const lasted = formatDuration((i.resolvedAt ?? props.now).getTime() - i.openedAt.getTime())
  return (
    <li class="incident" id={`incident-${i.id}`}>
      <h3>
        {i.title}: {i.resolvedAt ? 'was broken' : 'broken now'}
      </h3>
      <p class="small">
        From <time datetime={i.openedAt.toISOString()}>{formatShortTime(i.openedAt)}</time>
        {i.resolvedAt ? (
          <>
            {' '}
            to <time datetime={i.resolvedAt.toISOString()}>{formatShortTime(i.resolvedAt)}</time> ({lasted})
          </>
        ) : (
          <> ({lasted} so far)</>
        )}
        .
      </p>
      {i.notes.map((n) => (
        <p class="incident-note">
          <time class="small muted" datetime={n.at.toISOString()}>
            {formatShortTime(n.at)}
          </time>{' '}
          <span class="note-body">{n.body}</span>
        </p>
      ))}
    </li>
  )
}

function MaintenanceItem(props: { window: MaintenanceAhead }) {
  const w = props.window
  return (
    <li>
      <time datetime={w.start.toISOString()}>{formatShortTime(w.start)}</time> to <time datetime={w.end.toISOString()}>{formatShortTime(w.end)}</time>:{' '}
      {w.promises.length ? w.promises.map((p) => p.title).join(', ') : 'every promise'}
    </li>
  )
}

export function StatusPage(props: { data: StatusData; logoUrl: string | null }) {
  const { data } = props
  const past = data.incidents
  return (
    <HtmlDocument
      title={`${data.name}: the promises we keep`}
      head={
        <>
          <link rel="stylesheet" href={STYLESHEET_URL} />
          <link rel="alternate" type="application/atom+xml" title="Incidents" href="/status/feed.atom" />
        </>
      }
    >
      <header class="top">
        <div class="top-in">
          <span class="brand">
            {props.logoUrl ? <img class="status-logo" src={props.logoUrl} alt="" /> : null}
            {data.name}
          </span>
        </div>
      </header>
      <main id="main" class="status">
        <h1>The promises we keep</h1>
        <p class="lead">What we promise our customers, checked around the clock by walking it in a real browser, as a customer would.</p>
        <p class={`status-summary s-${data.summary.state}`} role="status">
          {data.summary.text}
        </p>
        {data.maintenance.length ? (
          <section aria-labelledby="maintenance-h">
            <h2 id="maintenance-h">Planned maintenance</h2>
            <ul class="plain-list">
              {data.maintenance.map((w) => (
                <MaintenanceItem window={w} />
              ))}
            </ul>
          </section>
        ) : null}
        <section aria-labelledby="promises-h">
          <h2 id="promises-h">Our promises</h2>
          {data.promises.length === 0 ? (
            <p class="muted">No promise is published here yet.</p>
          ) : (
            <ul class="status-list">
              {data.promises.map((p) => (
                <PromiseItem promise={p} />
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="incidents-h">
          <h2 id="incidents-h">Incidents, last {STATUS_DAYS} days</h2>
          {past.length === 0 ? (
            <p class="muted">None: every promise was kept.</p>
          ) : (
            <ul class="incident-list">
              {past.map((i) => (
                <IncidentItem incident={i} now={data.generatedAt} />
              ))}
            </ul>
          )}
        </section>
        <p class="small muted status-foot">
          As of <time datetime={data.generatedAt.toISOString()}>{formatShortTime(data.generatedAt)}</time>. Follow the incidents in a feed reader (
          <a href="/status/feed.atom">Atom</a>) or read them as <a href="/status.json">JSON</a>. Checked by Kept.
        </p>
      </main>
    </HtmlDocument>
  )
}
