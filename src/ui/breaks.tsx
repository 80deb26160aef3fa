import type { Context } from 'hono'
import { Hono } from 'hono'
import { asc, desc, eq, inArray, isNotNull, isNull } from 'drizzle-orm'
import { acknowledgeBreak } from '../alerts/acknowledge.ts'
import { can, type Principal } from '../auth/permissions.ts'
import type { Db } from '../db/client.ts'
import { breakAlerts } from '../alerts/history.ts'
import { breakNotes, breaks, promises, runs } from '../db/schema.ts'
import type { Failure } from '../domain/run.ts'
import { formatDuration, formatTime } from './format.ts'
import { notFound, pageGuards, principalOf, type UiEnv, signedIn } from './guards.tsx'
import { Badge, Csrf, Layout, Notice, Time } from './layout.tsx'
import { BreakPage } from './break-page.tsx'
import { isSecureContext } from './run-page.tsx'
import { failureText } from './run-view.tsx'

// Breaks: the open ones first (what needs someone now), then the past ones.
// Tech and admin acknowledge and add notes.

const PAST_PER_PAGE = 50
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

interface BreakItem {
  id: string
  promiseId: string
  title: string
  openedAt: Date
  resolvedAt: Date | null
  failure: Failure | null
  acknowledgedAt: Date | null
  acknowledgedBy: string | null
  notes: { author: string; body: string; createdAt: Date }[]
}

function BreakCard(props: { b: BreakItem; now: Date; canAck: boolean; csrfToken: string | null }) {
  const { b, now } = props
  const why = failureText(b.failure)
  return (
    <article class="card" aria-labelledby={`break-${b.id}`}>
      <div class="head">
        <div>
          <h3 id={`break-${b.id}`}>
            <a href={`/promises/${b.promiseId}`}>{b.title}</a>
          </h3>
          <p>
            {b.resolvedAt ? <Badge state="kept" /> : <Badge state="broken" />}{' '}
            <span class="small">
              {b.resolvedAt ? 'Resolved' : 'Open'}: broken from <Time at={b.openedAt}>{formatTime(b.openedAt)}</Time>
              {b.resolvedAt ? (
                <>
                  {' '}
                  to <Time at={b.resolvedAt}>{formatTime(b.resolvedAt)}</Time>
                </>
              ) : null}
              , {formatDuration((b.resolvedAt ?? now).getTime() - b.openedAt.getTime())}
              {b.resolvedAt ? '' : ' so far'}
            </span>
          </p>
          {why ? <p class="small">{why}</p> : null}
          <p class="small">
            <a href={`/breaks/${b.id}`}>What happened: alerts, notes, evidence</a>
          </p>
          <p class="small muted">
            {b.acknowledgedAt ? (
              <>
                Acknowledged by {b.acknowledgedBy ?? 'someone'} at{' '}
                <Time at={b.acknowledgedAt}>{formatTime(b.acknowledgedAt)}</Time>
              </>
            ) : (
              'Not acknowledged'
            )}
          </p>
        </div>
        {props.canAck && !b.acknowledgedAt && !b.resolvedAt ? (
          <form method="post" action={`/breaks/${b.id}/ack`}>
            <Csrf token={props.csrfToken} />
            <input type="hidden" name="from" value="list" />
            <button class="btn" type="submit">
              Acknowledge
            </button>
          </form>
        ) : null}
      </div>
      {b.notes.length ? (
        <div>
          <h4 class="visually-hidden">Notes</h4>
          {b.notes.map((n) => (
            <div class="note small">
              <strong>{n.author}</strong>{' '}
              <span class="muted">
                <Time at={n.createdAt}>{formatTime(n.createdAt)}</Time>
              </span>
              <p>{n.body}</p>
            </div>
          ))}
        </div>
      ) : null}
      {props.canAck ? (
        <details class="add-note">
          <summary>Add a note</summary>
          <form method="post" action={`/breaks/${b.id}/notes`} class="stack">
            <Csrf token={props.csrfToken} />
            <input type="hidden" name="from" value="list" />
            <label for={`note-${b.id}`} class="small">
              Note on this break
            </label>
            <textarea id={`note-${b.id}`} name="body" rows={2} class="short" maxlength={2000} required></textarea>
            <button class="btn secondary small" type="submit">
              Add note
            </button>
          </form>
        </details>
      ) : null}
    </article>
  )
}

function BreaksPage(props: {
  principal: Principal
  csrfToken: string | null
  open: BreakItem[]
  past: BreakItem[]
  page: number
  hasMore: boolean
  now: Date
  notice?: string
}) {
  const canAck = can(props.principal.role, 'break.ack')
  return (
    <Layout title="Breaks" principal={props.principal} csrfToken={props.csrfToken} nav="breaks">
      <h1>Breaks</h1>
      <p class="lead">A break opens when a promise fails on consecutive runs, and closes when it is kept again.</p>
      <Notice notice={props.notice} />
      <h2>Open now</h2>
      {props.open.length === 0 ? (
        <p class="card">
          <Badge state="kept" /> No promise is broken right now.
        </p>
      ) : (
        props.open.map((b) => <BreakCard b={b} now={props.now} canAck={canAck} csrfToken={props.csrfToken} />)
      )}
      <h2>Past breaks</h2>
      {props.past.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        props.past.map((b) => <BreakCard b={b} now={props.now} canAck={canAck} csrfToken={props.csrfToken} />)
      )}
      {props.page > 1 || props.hasMore ? (
        <nav class="pager" aria-label="Pages of past breaks">
          {props.page > 1 ? <a href={`/breaks?page=${props.page - 1}`}>← Newer</a> : null}
          <span>Page {props.page}</span>
          {props.hasMore ? <a href={`/breaks?page=${props.page + 1}`}>Older →</a> : null}
        </nav>
      ) : null}
    </Layout>
  )
}

export function breakRoutes(deps: { db: Db }) {
  const { db } = deps
  const app = new Hono<UiEnv>()
  const guards = pageGuards(db)

  const columns = {
    id: breaks.id,
    promiseId: breaks.promiseId,
    title: promises.title,
    openedAt: breaks.openedAt,
    resolvedAt: breaks.resolvedAt,
    failure: breaks.failure,
    acknowledgedAt: breaks.acknowledgedAt,
    acknowledgedBy: breaks.acknowledgedBy,
  }

  app.get('/breaks', guards.read, async (c) => {
    const page = Math.max(1, Math.min(10_000, Number.parseInt(c.req.query('page') ?? '1', 10) || 1))
    const [open, past] = await Promise.all([
      db.select(columns).from(breaks).innerJoin(promises, eq(promises.id, breaks.promiseId)).where(isNull(breaks.resolvedAt)).orderBy(asc(breaks.openedAt)).limit(500),
      db
        .select(columns)
        .from(breaks)
        .innerJoin(promises, eq(promises.id, breaks.promiseId))
        .where(isNotNull(breaks.resolvedAt))
        .orderBy(desc(breaks.openedAt), desc(breaks.id))
        .limit(PAST_PER_PAGE + 1)
        .offset((page - 1) * PAST_PER_PAGE),
    ])
    const shown = [...open, ...past.slice(0, PAST_PER_PAGE)]
    const notes = shown.length
      ? await db
          .select({ breakId: breakNotes.breakId, author: breakNotes.author, body: breakNotes.body, createdAt: breakNotes.createdAt })
          .from(breakNotes)
          .where(inArray(breakNotes.breakId, shown.map((b) => b.id)))
          .orderBy(asc(breakNotes.createdAt))
      : []
    const withNotes = (b: (typeof shown)[number]): BreakItem => ({ ...b, notes: notes.filter((n) => n.breakId === b.id) })
    return c.html(
      <BreaksPage
        {...signedIn(c)}
        open={open.map(withNotes)}
        past={past.slice(0, PAST_PER_PAGE).map(withNotes)}
        page={page}
        hasMore={past.length > PAST_PER_PAGE}
        now={new Date()}
        notice={c.req.query('notice')}
      />,
    )
  })

  async function exists(id: string) {
    if (!UUID.test(id)) return false
    const [row] = await db.select({ id: breaks.id }).from(breaks).where(eq(breaks.id, id)).limit(1)
    return Boolean(row)
  }

  app.get('/breaks/:id', guards.read, async (c) => {
    const id = c.req.param('id')
    if (!UUID.test(id)) return notFound(c, 'No break has this address.')
    const [row] = await db
      .select({ brk: breaks, promise: { id: promises.id, title: promises.title } })
      .from(breaks)
      .innerJoin(promises, eq(promises.id, breaks.promiseId))
      .where(eq(breaks.id, id))
    if (!row) return notFound(c, 'No break has this address. It may have been deleted with its promise.')
    const runIds = [row.brk.firstRunId, row.brk.openedByRunId, row.brk.resolvedByRunId].filter((r): r is string => Boolean(r))
    const [runRows, alerts, notes] = await Promise.all([
      db
        .select({
          id: runs.id,
          trigger: runs.trigger,
          outcome: runs.outcome,
          startedAt: runs.startedAt,
          screenshotPath: runs.screenshotPath,
          tracePath: runs.tracePath,
          confirmOf: runs.confirmOf,
        })
        .from(runs)
        .where(inArray(runs.id, runIds)),
      breakAlerts(db, [id]),
      db.select().from(breakNotes).where(eq(breakNotes.breakId, id)).orderBy(asc(breakNotes.createdAt)),
    ])
    return c.html(
      <BreakPage
        {...signedIn(c)}
        now={new Date()}
        notice={c.req.query('notice')}
        data={{
          brk: row.brk,
          promise: row.promise,
          runs: runRows,
          alerts: alerts.get(id) ?? [],
          notes,
          secureContext: isSecureContext(new URL(c.req.url), c.req.header('x-forwarded-proto')),
        }}
      />,
    )
  })

  /** Back to the list when the form came from it, else to the break's own page. */
  const back = async (c: Context<UiEnv>, id: string, notice: string) => {
    const body = await c.req.parseBody()
    return c.redirect(body.from === 'list' ? `/breaks?notice=${notice}` : `/breaks/${id}?notice=${notice}`, 303)
  }

  app.post('/breaks/:id/ack', guards.post('break.ack'), async (c) => {
    const id = c.req.param('id')
    if (!UUID.test(id)) return notFound(c, 'No break has this address.')
    // The alerts' own acknowledgement: it also stops the break's reminders.
    if (!(await acknowledgeBreak(db, id, principalOf(c).name))) return notFound(c, 'No break has this address.')
    return back(c, id, 'acknowledged')
  })

  app.post('/breaks/:id/notes', guards.post('break.ack'), async (c) => {
    const id = c.req.param('id')
    if (!(await exists(id))) return notFound(c, 'No break has this address.')
    const body = await c.req.parseBody()
    const text = typeof body.body === 'string' ? body.body.trim().slice(0, 2000) : ''
    if (text) await db.insert(breakNotes).values({ breakId: id, author: principalOf(c).name, body: text, public: body.public === '1' })
    return back(c, id, 'note-added')
  })

  return app
}
