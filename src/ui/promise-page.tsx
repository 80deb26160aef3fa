import { can, type Principal } from '../auth/permissions.ts'
import type { breaks, promises, runs } from '../db/schema.ts'
import type { PromiseState } from '../domain/run.ts'
import { driftSentence } from '../domain/claims/drift.ts'
import { journeyWordWarnings } from '../domain/promise-words.ts'
import { budgetsInWords, budgetUseWords } from '../domain/verdict-words.ts'
import { formatCountdown, formatDuration, formatRate, formatSeconds, formatTime, keptRate, plural } from './format.ts'
import { Badge, Csrf, Layout, Notice, Time } from './layout.tsx'
import { ConfirmDeletePage } from './confirm.tsx'
import { DataTable } from './table.tsx'
import { namesRegions, regionSummary, type RegionVerdict } from '../domain/region.ts'
import { failureText, Screenshot, StepsTable, VerdictCard } from './run-view.tsx'

type PromiseRow = typeof promises.$inferSelect
type RunRow = typeof runs.$inferSelect
type BreakRow = typeof breaks.$inferSelect

export interface PromisePageData {
  promise: PromiseRow
  state: PromiseState
  rate7: { kept: number; counted: number }
  rate30: { kept: number; counted: number }
  runs: RunRow[]
  page: number
  hasMore: boolean
  breaks: BreakRow[]
  alertRoute: AlertRouteView
  /** A walk asked for is queued or running, not recorded yet. */
  walking: boolean
  nextWalkAt: Date | null
  maintenance: MaintenanceView
  /** Absolute address of the pages, for the note to the tech team. */
  baseUrl: string
  /** Its verdict in each region, "not walked" where no worker runs; said only when the promise names regions. */
  regions?: RegionVerdict[]
}

export interface MaintenanceView {
  now: { until: Date; reason: string | null } | null
  next: { start: Date; end: Date; reason: string | null } | null
}

function MaintenanceNotice(props: { maintenance: MaintenanceView }) {
  const { now, next } = props.maintenance
  if (now) {
    return (
      <p class="notice" role="status">
        In maintenance until <Time at={now.until}>{formatTime(now.until)}</Time>
        {now.reason ? `: ${now.reason}` : ''}. It is still walked; its alerts wait until the window ends (
        <a href="/maintenance">maintenance</a>).
      </p>
    )
  }
  if (!next) return null
  return (
    <p class="small muted">
      Next maintenance: <Time at={next.start}>{formatTime(next.start)}</Time> to <Time at={next.end}>{formatTime(next.end)}</Time>
      {next.reason ? ` (${next.reason})` : ''}.
    </p>
  )
}

/** "Walking now", or when the next walk comes; the page script keeps it current (aria-live). */
function LiveStatus(props: { promiseId: string; lastRunId: string | null; walking: boolean; nextWalkAt: Date | null; now: Date }) {
  return (
    <p
      id="live-status"
      class={props.walking ? 'live walking' : 'live'}
      aria-live="polite"
      data-live={`/promises/${props.promiseId}/live`}
      data-last-run={props.lastRunId ?? ''}
      data-walking={props.walking ? '1' : '0'}
      data-next={props.nextWalkAt?.toISOString() ?? ''}
    >
      {props.walking ? (
        <>
          <span class="spinner" aria-hidden="true"></span> Walking now, in a real browser. The result shows here when it is
          recorded (<a href="">reload</a> if it does not).
        </>
      ) : props.nextWalkAt ? (
        <>Next walk in {formatCountdown(props.nextWalkAt.getTime() - props.now.getTime())}.</>
      ) : null}
    </p>
  )
}

/** Where the promise's alerts go (src/domain/alert-route.ts), as the page says it. */
export interface AlertRouteView {
  via: 'channels' | 'default' | 'owner' | 'nowhere'
  /** Channel names, for channels and default. */
  names: string[]
  recipient: string | null
  mailConfigured: boolean
}

function AlertRouteWords(props: { route: AlertRouteView }) {
  const r = props.route
  if (r.via === 'channels') return <>{r.names.join(', ')}</>
  if (r.via === 'default') return <>the default channels: {r.names.join(', ')}</>
  if (r.via === 'owner') {
    return (
      <>
        its tech owner {r.recipient}, by email
        {r.mailConfigured ? null : (
          <>
            {' '}
            (kept in the <a href="/alerts">Alerts outbox</a>: SMTP_URL is not set)
          </>
        )}
      </>
    )
  }
  return <>nobody</>
}

function scheduleWords(p: PromiseRow): string {
  if (p.scheduleCron) return `cron ${p.scheduleCron} (${p.scheduleTimezone ?? 'UTC'})`
  if (p.scheduleEverySeconds) {
    const s = p.scheduleEverySeconds
    return s % 60 === 0 ? `every ${plural(s / 60, 'minute')}` : `every ${s} seconds`
  }
  return 'not scheduled'
}

const triggerWords: Record<RunRow['trigger'], string> = {
  schedule: 'scheduled',
  manual: 'run now',
  confirm: 'confirmation',
  test: 'try',
}

function RunDetails(props: { run: RunRow; open: boolean; budgets: PromiseRow['budgets'] }) {
  const r = props.run
  const why = failureText(r.failure)
  const used = budgetUseWords(r, props.budgets)
  return (
    <details open={props.open}>
      <summary>
        <Badge state={r.outcome} />
        <Time at={r.startedAt}>{formatTime(r.startedAt)}</Time>
        <span class="muted small">
          {used.length ? used.join(' · ') : `${plural(r.clicks, 'click')} · ${formatSeconds(r.durationMs)}`} · {triggerWords[r.trigger]}
        </span>
        {why ? <span class="small">{why}</span> : null}
      </summary>
      <div class="body stack">
        <StepsTable steps={r.steps} caption={`Steps of the run at ${formatTime(r.startedAt)}`} failure={r.failure} />
        {r.screenshotPath ? (
          <Screenshot src={`/api/v1/runs/${r.id}/screenshot`} alt={`The page at the end of the run at ${formatTime(r.startedAt)}`} />
        ) : null}
        <p class="small">
          <a href={`/runs/${r.id}`}>Open this run</a>
          {r.tracePath ? (
            <>
              {' '}
              · <a href={`/runs/${r.id}/trace`}>Open the Playwright trace</a> ·{' '}
              <a href={`/api/v1/runs/${r.id}/trace`} download>
                download it
              </a>
            </>
          ) : null}
        </p>
      </div>
    </details>
  )
}

export function PromisePage(props: {
  principal: Principal
  csrfToken: string | null
  data: PromisePageData
  notice?: string
  now: Date
}) {
  const { data, principal, csrfToken } = props
  const p = data.promise
  const canWrite = can(principal.role, 'promise.write')
  const canRun = can(principal.role, 'promise.run')
  const isCheck = p.source === 'check'
  const openBreak = data.breaks.find((b) => !b.resolvedAt)
  const latest = data.page === 1 ? data.runs[0] : undefined
  const unchecked = isCheck ? [] : journeyWordWarnings(p.title, p.journey)
  return (
    <Layout title={p.title} principal={principal} csrfToken={csrfToken} nav="promises" script>
      <p class="small">
        <a href="/">← All promises</a>
      </p>
      <div class="head">
        <div>
          <h1>{p.title}</h1>
          <p>
            <Badge state={data.state} />{' '}
            {openBreak ? (
              <span class="small">
                broken since <Time at={openBreak.openedAt}>{formatTime(openBreak.openedAt)}</Time>
              </span>
            ) : null}
            {p.overdueSince && !p.paused ? (
              <span class="small">
                {' '}
                not walked since {p.lastRunAt ? <Time at={p.lastRunAt}>{formatTime(p.lastRunAt)}</Time> : 'it was scheduled'}: two
                walks are missing, so its last verdict is old news. Is a journey worker running?
              </span>
            ) : null}
          </p>
          {data.regions && regionSummary(data.regions) ? (
            <p class="small" data-regions>
              {capitalised(regionSummary(data.regions))}.
              {data.regions.some((r) => r.state === 'not_walked')
                ? ' No journey worker of a region it is walked from is running: its verdict there is unknown, and its tech owner is told once.'
                : ''}
            </p>
          ) : null}
          {p.description ? <p class="lead">{p.description}</p> : null}
        </div>
        <div class="actions">
          {canRun ? (
            <form method="post" action={`/promises/${p.id}/run`}>
              <Csrf token={csrfToken} />
              <button class="btn" type="submit">
                Run now
              </button>
            </form>
          ) : null}
          {canWrite && !isCheck ? (
            <a class="btn secondary" href={`/promises/${p.id}/edit`}>
              Edit
            </a>
          ) : null}
          {canWrite ? (
            <form method="post" action={`/promises/${p.id}/${p.paused ? 'resume' : 'pause'}`}>
              <Csrf token={csrfToken} />
              <button class="btn secondary" type="submit">
                {p.paused ? 'Resume' : 'Pause'}
              </button>
            </form>
          ) : null}
          {canWrite ? (
            <a class="btn secondary" href={`/promises/${p.id}/delete`}>
              Delete…
            </a>
          ) : null}
        </div>
      </div>
      <Notice notice={props.notice} />
      <MaintenanceNotice maintenance={data.maintenance} />
      <LiveStatus promiseId={p.id} lastRunId={p.lastRunId} walking={data.walking} nextWalkAt={data.nextWalkAt} now={props.now} />
      {latest ? (
        <section id="latest-verdict" aria-labelledby="verdict-h">
          <h2 id="verdict-h" class="small muted verdict-when">
            The last walk, <Time at={latest.startedAt}>{formatTime(latest.startedAt)}</Time> ·{' '}
            <a href={`/runs/${latest.id}`}>open it</a>
          </h2>
          <VerdictCard
            id={latest.id}
            walk={latest}
            budgets={p.budgets}
            forTechTeam={{ title: p.title, startedAt: latest.startedAt, runUrl: `${data.baseUrl}/runs/${latest.id}` }}
          />
        </section>
      ) : null}
      {p.claimDrift ? (
        <p class="notice warn" role="status">
          <strong>What your site says drifts from what customers live.</strong> {driftSentence(p.claimDrift)} It says so on{' '}
          <a href={p.claimDrift.pageUrl}>{p.claimDrift.pageUrl}</a>, since <Time at={new Date(p.claimDrift.since)}>{formatTime(new Date(p.claimDrift.since))}</Time>.
          Change the words on the site, or ask the tech team to make the journey match them.
        </p>
      ) : null}
      {unchecked.map((w) => (
        <p class="notice warn">
          Nothing in the journey checks for “{w.words}”: the promise can be kept while customers cannot do what it says. A step
          like <code>{w.suggestion}</code> would check it
          {canWrite ? (
            <>
              {' '}
              (<a href={`/promises/${p.id}/edit`}>edit the journey</a>)
            </>
          ) : null}
          .
        </p>
      ))}
      {data.alertRoute.via === 'nowhere' ? (
        <p class="notice bad" role="alert">
          Alerts of this promise go nowhere: it names no channel, there is no default channel and it has no tech owner. Add a
          tech owner{canWrite && !isCheck ? <> (<a href={`/promises/${p.id}/edit`}>edit the promise</a>)</> : null} or a{' '}
          <a href="/channels">channel</a>.
        </p>
      ) : null}
      <div class="cols">
        <section aria-labelledby="facts">
          <h2 id="facts" class="visually-hidden">
            About this promise
          </h2>
          <dl class="facts card">
            <dt>Kept, 7 days</dt>
            <dd>{formatRate(keptRate(data.rate7.kept, data.rate7.counted))}</dd>
            <dt>Kept, 30 days</dt>
            <dd>{formatRate(keptRate(data.rate30.kept, data.rate30.counted))}</dd>
            <dt>Budgets</dt>
            <dd>{budgetsInWords(p.budgets) || 'none: judged on its steps alone'}</dd>
            <dt>Schedule</dt>
            <dd>
              {scheduleWords(p)}, on {p.device}
              {p.paused ? ' (paused)' : ''}
            </dd>
            <dt>Owners</dt>
            <dd>
              {p.marketingOwner || p.techOwner
                ? [p.marketingOwner ? `marketing: ${p.marketingOwner}` : null, p.techOwner ? `tech: ${p.techOwner}` : 'no tech owner'].filter(Boolean).join(' · ')
                : 'none yet'}
            </dd>
            <dt>Alerts to</dt>
            <dd>
              <AlertRouteWords route={data.alertRoute} />
            </dd>
            <dt>Status page</dt>
            <dd>
              {p.public ? (
                <>
                  shown to customers{p.publicTitle ? ` as “${p.publicTitle}”` : ''} on <a href="/status">/status</a>
                </>
              ) : (
                'not shown'
              )}
            </dd>
            <dt>Customers a day</dt>
            <dd>
              {p.dailyCustomers > 0
                ? `${p.dailyCustomers.toLocaleString('en')} (${Math.round(p.detractorRate * 100)} % turn detractor when broken)`
                : 'not set: the weekly digest cannot count the customers a break affects'}
            </dd>
          </dl>
        </section>
        <section aria-labelledby="journey-h">
          <h2 id="journey-h" class="visually-hidden">
            Journey
          </h2>
          <div class="card">
            <h3>Journey</h3>
            {isCheck ? (
              <p>
                A code check: <code>checks/{p.checkFile}</code>. Edit the file to change it.
              </p>
            ) : (
              // One line: whitespace inside <pre> would show.
              <pre><code>{p.journey}</code></pre>
            )}
          </div>
        </section>
      </div>

      <h2 id="runs">Runs</h2>
      {data.runs.length === 0 ? (
        <p class="muted">No run yet{p.paused ? ': the promise is paused.' : data.walking ? ': the first walk is on its way.' : '.'}</p>
      ) : (
        data.runs.map((r, i) => <RunDetails run={r} budgets={p.budgets} open={i === 0 && data.page === 1} />)
      )}
      {data.page > 1 || data.hasMore ? (
        <nav class="pager" aria-label="Run pages">
          {data.page > 1 ? <a href={`/promises/${p.id}?page=${data.page - 1}#runs`}>← Newer runs</a> : null}
          <span>Page {data.page}</span>
          {data.hasMore ? <a href={`/promises/${p.id}?page=${data.page + 1}#runs`}>Older runs →</a> : null}
        </nav>
      ) : null}
      <h2 id="breaks">Breaks</h2>
      {data.breaks.length === 0 ? (
        <p class="muted">No break so far.</p>
      ) : (
        <DataTable
          cards
          caption="Breaks of this promise, newest first"
          columns={['Opened', 'Resolved', { label: 'Duration', num: true }, 'Why', 'Acknowledged']}
        >
          {data.breaks.map((b) => (
            <tr>
              <td class="card-head">
                <a href={`/breaks/${b.id}`}>
                  <Time at={b.openedAt}>{formatTime(b.openedAt)}</Time>
                </a>
                {namesRegions(p.regions) ? ` in ${b.region}` : ''}
              </td>
              <td data-label="Resolved">{b.resolvedAt ? <Time at={b.resolvedAt}>{formatTime(b.resolvedAt)}</Time> : <Badge state="broken" />}</td>
              <td class="num" data-label="Lasted">
                {formatDuration((b.resolvedAt ?? props.now).getTime() - b.openedAt.getTime())}
                {b.resolvedAt ? '' : ' so far'}
              </td>
              <td class="small card-head">{failureText(b.failure) ?? '—'}</td>
              <td class="small" data-label="Acknowledged">
                {b.acknowledgedBy ? `by ${b.acknowledgedBy}` : 'no'}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <p class="small">
        <a href="/breaks">All breaks</a>
      </p>

    </Layout>
  )
}

export function DeletePage(props: { principal: Principal; csrfToken: string | null; promise: PromiseRow }) {
  const p = props.promise
  return (
    <ConfirmDeletePage
      title={`Delete ${p.title}`}
      heading={<>Delete “{p.title}”?</>}
      principal={props.principal}
      csrfToken={props.csrfToken}
      nav="promises"
      action={`/promises/${p.id}/delete`}
      confirm="Delete the promise"
      keepHref={`/promises/${p.id}`}
    >
      <p class="lead">
        Its schedule stops and its runs, breaks and history are deleted. This cannot be undone. To stop it for a while,
        pause it instead.
      </p>
    </ConfirmDeletePage>
  )
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
