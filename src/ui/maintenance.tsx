import type { Context } from 'hono'
import { Hono } from 'hono'
import { asc, desc, eq } from 'drizzle-orm'
import { can, type Principal } from '../auth/permissions.ts'
import type { Db } from '../db/client.ts'
import { maintenanceWindows, promises } from '../db/schema.ts'
import { isRecurring, occurrenceAt, occurrences } from '../domain/maintenance.ts'
import { endWindowNow, windowProblems, type WindowValues } from '../services/maintenance-windows.ts'
import { FieldMessages, TextField } from './field.tsx'
import { formatTime } from './format.ts'
import { notFound, pageGuards, principalOf, type UiEnv, signedIn } from './guards.tsx'
import { Csrf, Layout, Notice, RowAction, Time } from './layout.tsx'
import { DataTable } from './table.tsx'

// Maintenance windows: runs go on, alerts wait. Every role sees them;
// tech and admin create, edit and end them (role channel.write).

type WindowRow = typeof maintenanceWindows.$inferSelect
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

interface FormValues {
  promiseId: string
  startsAt: string
  endsAt: string
  recurCron: string
  recurMinutes: string
  timezone: string
  reason: string
}
type FormErrors = Partial<Record<keyof FormValues, string>>

/** "2026-12-03T14:00" in UTC, for a datetime-local input. */
const localValue = (at: Date) => at.toISOString().slice(0, 16)

function valuesOf(row: WindowRow | null, now: Date): FormValues {
  return {
    promiseId: row?.promiseId ?? '',
    startsAt: localValue(row?.startsAt ?? now),
    endsAt: localValue(row?.endsAt ?? new Date(now.getTime() + 3600_000)),
    recurCron: row?.recurCron ?? '',
    recurMinutes: row?.recurMinutes ? String(row.recurMinutes) : '',
    timezone: row?.timezone ?? '',
    reason: row?.reason ?? '',
  }
}

/** The typed values as a window, or the field errors (times are UTC). */
async function parseForm(db: Db, v: FormValues): Promise<{ ok: true; values: WindowValues } | { ok: false; errors: FormErrors }> {
  const errors: FormErrors = {}
  const time = (text: string, field: 'startsAt' | 'endsAt') => {
    const at = new Date(`${text.trim()}${/Z$|[+-]\d\d:?\d\d$/.test(text.trim()) ? '' : 'Z'}`)
    if (!text.trim() || Number.isNaN(at.getTime())) errors[field] = 'Expected a date and time, e.g. 2026-12-24T22:00 (UTC).'
    return at
  }
  const startsAt = time(v.startsAt, 'startsAt')
  const endsAt = time(v.endsAt, 'endsAt')
  const minutes = v.recurMinutes.trim() === '' ? null : Number(v.recurMinutes)
  if (minutes !== null && (!Number.isInteger(minutes) || minutes < 1 || minutes > 7 * 1440)) {
    errors.recurMinutes = 'Expected whole minutes from 1 to 10080 (a week).'
  }
  if (v.promiseId && !UUID.test(v.promiseId)) errors.promiseId = 'Choose a promise from the list, or every promise.'
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  const values: WindowValues = {
    promiseId: v.promiseId || null,
    startsAt,
    endsAt,
    recurCron: v.recurCron.trim() || null,
    recurMinutes: minutes,
    timezone: v.timezone.trim() || null,
    reason: v.reason.trim() || null,
  }
  const problems = await windowProblems(db, values)
  for (const p of problems) {
    const words: Partial<Record<string, string>> = { endsAt: 'The end must come after the start.' }
    errors[p.path as keyof FormValues] ??= words[p.path] ?? `${p.message.charAt(0).toUpperCase()}${p.message.slice(1)}.`
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, values }
}

function WindowForm(props: {
  action: string
  values: FormValues
  errors: FormErrors
  promises: { id: string; title: string }[]
  csrfToken: string | null
  submit: string
}) {
  const { values, errors } = props
  return (
    <form method="post" action={props.action} class="card stack" novalidate>
      <Csrf token={props.csrfToken} />
      <div class="field">
        <label for="promiseId">For</label>
        <select id="promiseId" name="promiseId" aria-describedby={errors.promiseId ? 'promiseId-error' : undefined}>
          <option value="">Every promise</option>
          {props.promises.map((p) => (
            <option value={p.id} selected={p.id === values.promiseId}>
              {p.title}
            </option>
          ))}
        </select>
        <FieldMessages id="promiseId" error={errors.promiseId} />
      </div>
      <div class="field">
        <label for="startsAt">Starts (UTC)</label>
        <input id="startsAt" name="startsAt" type="datetime-local" value={values.startsAt} required aria-invalid={errors.startsAt ? 'true' : undefined} aria-describedby="startsAt-error" />
        <FieldMessages id="startsAt" error={errors.startsAt} />
      </div>
      <div class="field">
        <label for="endsAt">Ends (UTC)</label>
        <input id="endsAt" name="endsAt" type="datetime-local" value={values.endsAt} required aria-invalid={errors.endsAt ? 'true' : undefined} aria-describedby="endsAt-hint endsAt-error" />
        <FieldMessages id="endsAt" error={errors.endsAt} hint="For a recurring window: when the series stops." />
      </div>
      <TextField
        id="recurCron"
        name="recurCron"
        label="Repeats (optional cron pattern of each start)"
        value={values.recurCron}
        error={errors.recurCron}
        placeholder="0 2 * * 0"
        hint="E.g. 0 2 * * 0: every Sunday at 02:00. Leave empty for a one-off window."
      />
      <TextField id="recurMinutes" name="recurMinutes" label="Each lasts (minutes)" type="number" value={values.recurMinutes} error={errors.recurMinutes} />
      <TextField id="timezone" name="timezone" label="Time zone of the pattern" value={values.timezone} error={errors.timezone} placeholder="Europe/Paris" />
      <TextField id="reason" name="reason" label="Reason (shown on the promise)" value={values.reason} error={errors.reason} placeholder="Checkout deploy" />
      <div>
        <button class="btn" type="submit">
          {props.submit}
        </button>
      </div>
    </form>
  )
}

function WindowLine(props: { row: WindowRow; title: string | null; now: Date; canWrite: boolean; csrfToken: string | null }) {
  const { row, now } = props
  const current = occurrenceAt(row, now)
  const next = current ? null : occurrences(row, now, new Date(now.getTime() + 400 * 86_400_000))[0]
  return (
    <tr>
      <td>{props.title ? <a href={`/promises/${row.promiseId}`}>{props.title}</a> : 'Every promise'}</td>
      <td>
        {current ? (
          <>
            <strong>Now</strong>, until <Time at={current.end}>{formatTime(current.end)}</Time>
          </>
        ) : next ? (
          <>
            Next <Time at={next.start}>{formatTime(next.start)}</Time> to <Time at={next.end}>{formatTime(next.end)}</Time>
          </>
        ) : (
          <>
            Ended <Time at={row.endsAt}>{formatTime(row.endsAt)}</Time>
          </>
        )}
        {isRecurring(row) ? (
          <div class="small muted">
            repeats <code>{row.recurCron}</code> for {row.recurMinutes} min ({row.timezone ?? 'UTC'})
          </div>
        ) : null}
      </td>
      <td>{row.reason ?? '—'}</td>
      <td>
        {props.canWrite && row.endsAt > now ? (
          <div class="actions">
            <a class="btn secondary small" href={`/maintenance/${row.id}/edit`}>
              Edit
            </a>
            <RowAction action={`/maintenance/${row.id}/end`} csrfToken={props.csrfToken} label="End now" />
          </div>
        ) : null}
      </td>
    </tr>
  )
}

function MaintenancePage(props: {
  principal: Principal
  csrfToken: string | null
  windows: { row: WindowRow; title: string | null }[]
  promises: { id: string; title: string }[]
  values: FormValues
  errors: FormErrors
  now: Date
  notice?: string
}) {
  const canWrite = can(props.principal.role, 'channel.write')
  const live = props.windows.filter((w) => w.row.endsAt > props.now)
  const past = props.windows.filter((w) => w.row.endsAt <= props.now).slice(0, 20)
  const table = (rows: typeof props.windows, caption: string) => (
    <DataTable caption={caption} columns={['Promise', 'When', 'Reason', '']}>
      {rows.map((w) => (
        <WindowLine row={w.row} title={w.title} now={props.now} canWrite={canWrite} csrfToken={props.csrfToken} />
      ))}
    </DataTable>
  )
  return (
    <Layout title="Maintenance" principal={props.principal} csrfToken={props.csrfToken} nav="maintenance">
      <h1>Maintenance windows</h1>
      <p class="lead">During a window promises are still walked, but their alerts wait until it ends, and its time does not count in the digest.</p>
      <Notice notice={props.notice} />
      <h2>Now and ahead</h2>
      {live.length ? table(live, 'Maintenance windows now and ahead') : <p class="muted">None.</p>}
      {canWrite ? (
        <>
          <h2>Plan a window</h2>
          <WindowForm action="/maintenance" values={props.values} errors={props.errors} promises={props.promises} csrfToken={props.csrfToken} submit="Plan the window" />
        </>
      ) : null}
      <h2>Past</h2>
      {past.length ? table(past, 'Past maintenance windows') : <p class="muted">None yet.</p>}
    </Layout>
  )
}

export function maintenanceRoutes(deps: { db: Db }) {
  const { db } = deps
  const app = new Hono<UiEnv>()
  const guards = pageGuards(db)
  const promiseList = () => db.select({ id: promises.id, title: promises.title }).from(promises).orderBy(asc(promises.title)).limit(2000)

  async function render(c: Context<UiEnv>, values: FormValues | null, errors: FormErrors = {}, status: 200 | 400 = 200) {
    const now = new Date()
    const [rows, list] = await Promise.all([
      db
        .select({ row: maintenanceWindows, title: promises.title })
        .from(maintenanceWindows)
        .leftJoin(promises, eq(promises.id, maintenanceWindows.promiseId))
        .orderBy(desc(maintenanceWindows.endsAt))
        .limit(500),
      promiseList(),
    ])
    c.status(status)
    return c.html(
      <MaintenancePage
        {...signedIn(c)}
        windows={rows.sort((a, b) => a.row.startsAt.getTime() - b.row.startsAt.getTime())}
        promises={list}
        values={values ?? valuesOf(null, now)}
        errors={errors}
        now={now}
        notice={c.req.query('notice')}
      />,
    )
  }

  const formValues = async (c: Context<UiEnv>): Promise<FormValues> => {
    const body = await c.req.parseBody()
    const text = (key: keyof FormValues) => (typeof body[key] === 'string' ? (body[key] as string) : '')
    return {
      promiseId: text('promiseId'),
      startsAt: text('startsAt'),
      endsAt: text('endsAt'),
      recurCron: text('recurCron'),
      recurMinutes: text('recurMinutes'),
      timezone: text('timezone'),
      reason: text('reason'),
    }
  }

  app.get('/maintenance', guards.read, (c) => render(c, null))

  app.post('/maintenance', guards.post('channel.write'), async (c) => {
    const values = await formValues(c)
    const parsed = await parseForm(db, values)
    if (!parsed.ok) return render(c, values, parsed.errors, 400)
    await db.insert(maintenanceWindows).values(parsed.values)
    return c.redirect('/maintenance?notice=maintenance-planned', 303)
  })

  const load = async (id: string) => {
    if (!UUID.test(id)) return null
    const [row] = await db.select().from(maintenanceWindows).where(eq(maintenanceWindows.id, id))
    return row ?? null
  }

  const editPage = async (c: Context<UiEnv>, row: WindowRow, values: FormValues, errors: FormErrors = {}, status: 200 | 400 = 200) => {
    c.status(status)
    return c.html(
      <Layout title="Edit a maintenance window" principal={principalOf(c)} csrfToken={c.get('csrfToken')} nav="maintenance">
        <p class="small">
          <a href="/maintenance">← Maintenance</a>
        </p>
        <h1>Edit the maintenance window</h1>
        <WindowForm action={`/maintenance/${row.id}/edit`} values={values} errors={errors} promises={await promiseList()} csrfToken={c.get('csrfToken')} submit="Save" />
      </Layout>,
    )
  }

  app.get('/maintenance/:id/edit', guards.page('channel.write'), async (c) => {
    const row = await load(c.req.param('id'))
    if (!row) return notFound(c, 'No maintenance window has this address.')
    return editPage(c, row, valuesOf(row, new Date()))
  })

  app.post('/maintenance/:id/edit', guards.post('channel.write'), async (c) => {
    const row = await load(c.req.param('id'))
    if (!row) return notFound(c, 'No maintenance window has this address.')
    const values = await formValues(c)
    const parsed = await parseForm(db, values)
    if (!parsed.ok) return editPage(c, row, values, parsed.errors, 400)
    await db.update(maintenanceWindows).set(parsed.values).where(eq(maintenanceWindows.id, row.id))
    return c.redirect('/maintenance?notice=maintenance-saved', 303)
  })

  app.post('/maintenance/:id/end', guards.post('channel.write'), async (c) => {
    const id = c.req.param('id')
    if (!UUID.test(id) || !(await endWindowNow(db, id))) return notFound(c, 'No maintenance window has this address.')
    return c.redirect('/maintenance?notice=maintenance-ended', 303)
  })

  return app
}
