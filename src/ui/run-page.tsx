import { Hono } from 'hono'
import { eq, or } from 'drizzle-orm'
import type { Principal } from '../auth/permissions.ts'
import type { Db } from '../db/client.ts'
import { breaks, promises, runs } from '../db/schema.ts'
import { failuresOf } from '../domain/run.ts'
import { formatSeconds, formatTime, plural } from './format.ts'
import { notFound, pageGuards, principalOf, type UiEnv, signedIn } from './guards.tsx'
import { Badge, Layout, Time } from './layout.tsx'
import { failureText, Screenshot, StepsTable, VerdictCard } from './run-view.tsx'
import { TraceLinks, traceViewerUrl } from './trace-links.tsx'
import { traceState, type TraceState } from './trace-state.ts'

// One run, where an alert's "run" link lands: its steps with time and
// clicks, the failure in the step's words, the screenshot, the vitals and
// the trace, and the break it belongs to.

type RunRow = typeof runs.$inferSelect
type BreakRow = typeof breaks.$inferSelect

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const triggerWords: Record<RunRow['trigger'], string> = {
  schedule: 'a scheduled walk',
  manual: 'a walk asked for ("Run now" or a change)',
  confirm: 'a confirmation walk, right after a broken one',
  test: 'a try ("Try it now")',
}

export interface RunPageData {
  run: RunRow
  promise: { id: string; title: string; budgets: typeof promises.$inferSelect.budgets }
  brk: BreakRow | null
  /** The run this one confirmed, or the run that confirmed this one. */
  confirmOf: string | null
  confirmedBy: string | null
  secureContext: boolean
  trace: TraceState
  /** The run page's absolute address, for the note to the tech team. */
  runUrl: string
}

export function RunPage(props: { principal: Principal; csrfToken: string | null; data: RunPageData }) {
  const { run, promise, brk } = props.data
  const failures = failuresOf(run)
  const maxClicks = promise.budgets.maxClicks
  const maxSeconds = promise.budgets.maxSeconds
  return (
    <Layout title={`Run of ${promise.title}`} principal={props.principal} csrfToken={props.csrfToken} nav="promises" script>
      <p class="small">
        <a href={`/promises/${promise.id}`}>← {promise.title}</a>
      </p>
      <h1>
        Run of “{promise.title}”
      </h1>
      <p>
        <Badge state={run.outcome} /> <Time at={run.startedAt}>{formatTime(run.startedAt)}</Time>{' '}
        <span class="muted small">· {triggerWords[run.trigger]}</span>
      </p>
      <VerdictCard
        id={run.id}
        walk={run}
        budgets={promise.budgets}
        forTechTeam={{ title: promise.title, startedAt: run.startedAt, runUrl: props.data.runUrl }}
      />
      {failures.length > 1 ? (
        // A step failed after a budget was already blown: every failure, in order.
        <div class="notice bad" role="status">
          It broke in {failures.length} ways, in order:
          <ul>
            {failures.map((failure) => (
              <li>{failureText(failure)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <dl class="facts card">
        <dt>Clicks</dt>
        <dd>
          {maxClicks === undefined
            ? plural(run.clicks, 'click')
            : run.clicks > maxClicks
              ? `${plural(run.clicks, 'click')}, ${maxClicks} allowed`
              : `${run.clicks} of ${plural(maxClicks, 'click')} allowed`}
        </dd>
        <dt>Time</dt>
        <dd>
          {formatSeconds(run.durationMs)}
          {maxSeconds !== undefined ? (run.durationMs / 1000 > maxSeconds ? `, ${maxSeconds} s allowed` : ` of ${maxSeconds} s allowed`) : ''}
        </dd>
        <dt>Largest paint</dt>
        <dd>{run.vitals.lcpMs !== undefined ? `${Math.round(run.vitals.lcpMs)} ms` : 'not measured'}</dd>
        <dt>Accessibility</dt>
        <dd>
          {run.vitals.a11yViolations !== undefined ? plural(run.vitals.a11yViolations, 'violation') : 'not checked'}
        </dd>
        <dt>Walked</dt>
        <dd>
          <Time at={run.startedAt}>{formatTime(run.startedAt)}</Time> to <Time at={run.finishedAt}>{formatTime(run.finishedAt)}</Time>
          {run.region ? ` in ${run.region}` : ''}
        </dd>
        {brk ? (
          <>
            <dt>Break</dt>
            <dd>
              <a href={`/breaks/${brk.id}`}>
                {brk.resolvedAt ? 'resolved' : 'open'} since <Time at={brk.openedAt}>{formatTime(brk.openedAt)}</Time>
              </a>
            </dd>
          </>
        ) : null}
        {props.data.confirmOf ? (
          <>
            <dt>Confirms</dt>
            <dd>
              <a href={`/runs/${props.data.confirmOf}`}>the broken run before it</a>
            </dd>
          </>
        ) : null}
        {props.data.confirmedBy ? (
          <>
            <dt>Confirmed by</dt>
            <dd>
              <a href={`/runs/${props.data.confirmedBy}`}>the confirmation run</a>
            </dd>
          </>
        ) : null}
      </dl>
      <h2>Steps</h2>
      <StepsTable steps={run.steps} caption={`Steps of the run at ${formatTime(run.startedAt)}`} failure={run.failure} />
      <h2>Evidence</h2>
      {run.screenshotPath ? (
        <Screenshot
          src={`/api/v1/runs/${run.id}/screenshot`}
          alt={`The page at the end of the run at ${formatTime(run.startedAt)}`}
          caption="The page as the walk left it."
        />
      ) : (
        <p class="muted">No screenshot: {run.outcome === 'kept' || run.outcome === 'at_risk' ? 'kept runs keep none.' : 'the browser left none.'}</p>
      )}
      {run.tracePath && props.data.trace !== 'missing' ? (
        <TraceLinks runId={run.id} secureContext={props.data.secureContext} damaged={props.data.trace === 'damaged'} />
      ) : (
        <p class="muted small">No Playwright trace for this run.</p>
      )}
    </Layout>
  )
}

/** A request is a secure context for the browser: https, or a loopback host. */
export function isSecureContext(url: URL, forwardedProto?: string): boolean {
  if (url.protocol === 'https:' || forwardedProto?.split(',')[0]?.trim() === 'https') return true
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.endsWith('.localhost')
}

export function runPageRoutes(deps: { db: Db; dataDir: string; publicUrl?: string }) {
  const { db } = deps
  const app = new Hono<UiEnv>()
  const guards = pageGuards(db)

  app.get('/runs/:id', guards.read, async (c) => {
    const id = c.req.param('id')
    if (!UUID.test(id)) return notFound(c, 'No run has this address.')
    const [row] = await db
      .select({ run: runs, promise: { id: promises.id, title: promises.title, budgets: promises.budgets } })
      .from(runs)
      .innerJoin(promises, eq(promises.id, runs.promiseId))
      .where(eq(runs.id, id))
    if (!row) return notFound(c, 'No run has this address. Runs are kept for KEPT_RETENTION_DAYS days; it may have been pruned.')
    const [[brk], [confirmer]] = await Promise.all([
      db
        .select()
        .from(breaks)
        .where(or(eq(breaks.firstRunId, id), eq(breaks.openedByRunId, id), eq(breaks.resolvedByRunId, id)))
        .limit(1),
      db.select({ id: runs.id }).from(runs).where(eq(runs.confirmOf, id)).limit(1),
    ])
    return c.html(
      <RunPage
        {...signedIn(c)}
        data={{
          run: row.run,
          promise: row.promise,
          brk: brk ?? null,
          confirmOf: row.run.confirmOf,
          confirmedBy: confirmer?.id ?? null,
          secureContext: isSecureContext(new URL(c.req.url), c.req.header('x-forwarded-proto')),
          trace: await traceState(deps.dataDir, row.run.tracePath),
          runUrl: `${deps.publicUrl ?? new URL(c.req.url).origin}/runs/${id}`,
        }}
      />,
    )
  })

  // "Open the trace": the viewer where the browser can run it, else why not and the download.
  app.get('/runs/:id/trace', guards.read, async (c) => {
    const id = c.req.param('id')
    if (!UUID.test(id)) return notFound(c, 'No run has this address.')
    const [row] = await db.select({ id: runs.id, tracePath: runs.tracePath, title: promises.title }).from(runs).innerJoin(promises, eq(promises.id, runs.promiseId)).where(eq(runs.id, id))
    if (!row) return notFound(c, 'No run has this address.')
    const state = await traceState(deps.dataDir, row.tracePath)
    if (state === 'missing') return notFound(c, 'This run has no Playwright trace.')
    const secure = isSecureContext(new URL(c.req.url), c.req.header('x-forwarded-proto'))
    if (secure && state === 'ok') return c.redirect(traceViewerUrl(id), 303)
    return c.html(
      <Layout title="Trace" principal={principalOf(c)} csrfToken={c.get('csrfToken')} nav="promises">
        <p class="small">
          <a href={`/runs/${id}`}>← The run of {row.title}</a>
        </p>
        <h1>The Playwright trace</h1>
        <TraceLinks runId={id} secureContext={secure} damaged={state === 'damaged'} />
      </Layout>,
    )
  })

  return app
}
