import { randomUUID } from 'node:crypto'
import type { Context } from 'hono'
import { Hono } from 'hono'
import { and, asc, desc, eq, gt, gte, inArray, isNull, or, sql } from 'drizzle-orm'
import { routeAlert } from '../alerts/routing.ts'
import { can } from '../auth/permissions.ts'
import type { Db } from '../db/client.ts'
import { fsEvidenceStore } from '../evidence/fs-store.ts'
import { isEvidenceKey, readEvidence, type EvidenceStore } from '../evidence/store.ts'
import { breaks, channels, maintenanceWindows, promiseChannels, promiseRegions, promises, runRollupsDaily, runs, users } from '../db/schema.ts'
import { activeWindow, occurrences } from '../domain/maintenance.ts'
import { budgetKeys, type Budgets } from '../domain/budget.ts'
import { parseJourney } from '../domain/journey/parse.ts'
import { shownState, type RunResult } from '../domain/run.ts'
import { suggestBudgets } from '../domain/suggest-budgets.ts'
import { journeyWordWarnings } from '../domain/promise-words.ts'
import type { JourneySpec } from '../queue/jobs.ts'
import type { RegionDirectory } from '../queue/regions.ts'
import { regionVerdicts, type RegionVerdict } from '../domain/region.ts'
import type { PromiseScheduler } from '../queue/scheduler-port.ts'
import { loadSecrets, referencedSecrets } from '../queue/spec.ts'
import { NotScheduledError, PromiseInputError, createPromise, deletePromise, setPaused, updatePromise } from '../promises/service.ts'
import { rateWindows } from './dashboard-data.ts'
import { notFound, pageGuards, principalOf, type UiEnv, signedIn } from './guards.tsx'
import { PromiseFormPage, type TryOutcome } from './promise-form.tsx'
import {
  budgetHint,
  emptyValues,
  fieldErrors,
  inputOf,
  parsePromiseForm,
  valuesFromBody,
  valuesFromRow,
  type FieldErrors,
  type PromiseFormValues,
} from './promise-input.ts'
import { DeletePage, PromisePage, type AlertRouteView, type MaintenanceView } from './promise-page.tsx'

export interface PromiseRouteDeps {
  db: Db
  scheduler: PromiseScheduler
  /** The default and live regions; absent: one region, not shown. */
  regions?: RegionDirectory
  tryJourney: (spec: JourneySpec) => Promise<RunResult>
  dataDir: string
  /** The evidence store; default <dataDir>/evidence. */
  evidence?: EvidenceStore
  /** Reads a try's evidence where its worker left it (Redis, src/evidence/transport.ts); default: the store. */
  readTryEvidence?: (key: string) => Promise<Uint8Array | null>
  /** false: SMTP_URL is not set, so email is kept in the outbox (said on the promise page). */
  mailConfigured?: boolean
  /** KEPT_PUBLIC_URL when set: the address notes to the tech team link to (else the request's origin). */
  publicUrl?: string
}

/** A UTC day as the daily rollups key it. */
const day = (at: Date) => at.toISOString().slice(0, 10)

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const RUNS_PER_PAGE = 20

/**
 * Screenshots of tries are not runs (nothing is recorded before saving):
 * remember the last few, each for the user who made it.
 */
class TryScreenshots {
  private readonly shots = new Map<string, { key: string; owner: string }>()
  constructor(private readonly max = 200) {}
  add(runId: string, key: string, owner: string) {
    this.shots.set(runId, { key, owner })
    if (this.shots.size > this.max) this.shots.delete(this.shots.keys().next().value!)
  }
  get(runId: string, owner: string): string | null {
    const shot = this.shots.get(runId)
    return shot && shot.owner === owner ? shot.key : null
  }
}

function ownerKey(c: Context<UiEnv>): string {
  const p = principalOf(c)
  return p.userId ?? `token:${p.name}`
}

export function promiseRoutes(deps: PromiseRouteDeps) {
  const { db } = deps
  const app = new Hono<UiEnv>()
  const guards = pageGuards(db)
  const tries = new TryScreenshots()
  const store = deps.evidence ?? fsEvidenceStore(deps.dataDir)
  const readTryEvidence = deps.readTryEvidence ?? ((key: string) => readEvidence(store, key))

  /** Who may own a promise: the enabled users, for the owner fields' suggestions. */
  const people = () =>
    db.select({ email: users.email, role: users.role }).from(users).where(isNull(users.disabledAt)).orderBy(asc(users.email)).limit(500)

  const channelList = () =>
    db.select({ id: channels.id, name: channels.name, type: channels.type }).from(channels).orderBy(asc(channels.name))

  async function loadPromise(id: string) {
    if (!UUID.test(id)) return null
    const [row] = await db.select().from(promises).where(eq(promises.id, id)).limit(1)
    return row ?? null
  }

  function suggested(values: PromiseFormValues): Budgets {
    return values.title.trim() ? suggestBudgets(values.title) : {}
  }

  /** The default region first, then the others with a live worker. */
  async function regionChoices(): Promise<string[]> {
    if (!deps.regions) return []
    const live: string[] = await deps.regions.live().catch(() => [])
    return [deps.regions.defaultRegion, ...live.filter((r) => r !== deps.regions!.defaultRegion)]
  }

  async function renderForm(
    c: Context<UiEnv>,
    opts: { mode: 'new' | 'edit'; action: string; values: PromiseFormValues; errors?: FieldErrors; tryOutcome?: TryOutcome; cancelHref: string; status?: 200 | 400 },
  ) {
    const principal = principalOf(c)
    c.status(opts.status ?? 200)
    return c.html(
      <PromiseFormPage
        mode={opts.mode}
        action={opts.action}
        principal={principal}
        csrfToken={c.get('csrfToken')}
        values={opts.values}
        errors={opts.errors ?? {}}
        channels={await channelList()}
        people={await people()}
        suggested={suggested(opts.values)}
        canTry={can(principal.role, 'promise.run')}
        tryOutcome={opts.tryOutcome}
        cancelHref={opts.cancelHref}
        regionChoices={await regionChoices()}
      />,
    )
  }

  /** Walk the form's journey once, before anything is saved. */
  async function tryOnce(c: Context<UiEnv>, values: PromiseFormValues, promiseId: string | null): Promise<{ errors: FieldErrors; outcome?: TryOutcome }> {
    const parsed = parsePromiseForm(values, new Set(values.channels))
    const errors: FieldErrors = {}
    if (!parsed.ok) {
      // Only what the walk needs blocks a try; the rest is checked on save.
      for (const key of ['journey', ...budgetKeys] as const) {
        if (parsed.errors[key]) errors[key] = parsed.errors[key]
      }
      if (Object.keys(errors).length) return { errors }
    }
    // Budgets passed their checks above: the rulebook's shape of what was typed.
    const budgets = parsed.ok ? parsed.input.budgets : inputOf(values).budgets
    const journey = values.journey.replace(/\r\n?/g, '\n')
    const spec: JourneySpec = {
      promiseId: promiseId ?? randomUUID(),
      title: values.title.trim() || 'Try',
      journey,
      checkFile: null,
      budgets,
      device: values.device,
      secrets: Object.fromEntries(await loadSecrets(db, referencedSecrets(journey))),
    }
    try {
      const result = await deps.tryJourney(spec)
      let screenshotUrl: string | null = null
      if (result.screenshotPath) {
        if (isEvidenceKey(result.screenshotPath)) {
          tries.add(result.runId, result.screenshotPath, ownerKey(c))
          screenshotUrl = `/promises/try/${result.runId}/screenshot`
        }
      }
      return { errors: {}, outcome: { result, budgets, screenshotUrl } }
    } catch (error) {
      return { errors: {}, outcome: { error: error instanceof Error ? error.message : String(error) } }
    }
  }

  async function submit(c: Context<UiEnv>, existing: typeof promises.$inferSelect | null) {
    const principal = principalOf(c)
    const body = await c.req.parseBody({ all: true })
    const values = valuesFromBody(body)
    const mode = existing ? 'edit' : 'new'
    const action = existing ? `/promises/${existing.id}/edit` : '/promises/new'
    const cancelHref = existing ? `/promises/${existing.id}` : '/'
    if (body.intent === 'try') {
      if (!can(principal.role, 'promise.run')) {
        return renderForm(c, { mode, action, values, cancelHref, status: 400, errors: { journey: 'Your role may not run journeys.' } })
      }
      // No budgets typed yet: try with the ones the wording suggests, and show them.
      if (!budgetKeys.some((k) => values[k] !== '')) {
        const s = suggested(values)
        for (const key of ['maxClicks', 'maxSeconds', 'maxStepSeconds'] as const) if (s[key] !== undefined) values[key] = String(s[key])
      }
      const tried = await tryOnce(c, values, existing?.id ?? null)
      const failed = Object.keys(tried.errors).length > 0
      return renderForm(c, { mode, action, values, cancelHref, errors: tried.errors, tryOutcome: tried.outcome, status: failed ? 400 : 200 })
    }
    const known = new Set((await channelList()).map((ch) => ch.id))
    const parsed = parsePromiseForm(values, known)
    if (!parsed.ok) return renderForm(c, { mode, action, values, cancelHref, errors: parsed.errors, status: 400 })
    const service = { db, scheduler: deps.scheduler, ...(deps.regions ? { regions: deps.regions } : {}) }
    try {
      const id = existing ? (await updatePromise(service, existing, parsed.input), existing.id) : await createPromise(service, parsed.input, { createdBy: principal.userId })
      return c.redirect(`/promises/${id}?notice=saved`, 303)
    } catch (error) {
      if (error instanceof PromiseInputError) return renderForm(c, { mode, action, values, cancelHref, errors: fieldErrors(error.problems, values), status: 400 })
      if (error instanceof NotScheduledError) return c.redirect(`/promises/${error.promiseId}?notice=saved-unscheduled`, 303)
      throw error
    }
  }

  // The list of promises is the dashboard.
  app.get('/promises', (c) => c.redirect('/', 301))

  // --- the form ---

  app.get('/promises/new', guards.page('promise.write'), (c) =>
    renderForm(c, { mode: 'new', action: '/promises/new', values: emptyValues(principalOf(c).name), cancelHref: '/' }),
  )
  app.post('/promises/new', guards.post('promise.write'), (c) => submit(c, null))

  /** Live validation for the form script: the journey's errors and the budgets the wording suggests. */
  app.post('/promises/validate', guards.post('promise.write'), async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { journey?: unknown; title?: unknown }
    const journey = typeof body.journey === 'string' ? body.journey : ''
    const title = typeof body.title === 'string' ? body.title : ''
    const parsed = parseJourney(journey)
    const budgets = title.trim() ? suggestBudgets(title) : {}
    return c.json({
      ok: parsed.ok,
      steps: parsed.ok ? parsed.journey.steps.length : 0,
      errors: parsed.ok ? [] : parsed.errors,
      budgets,
      budgetHint: budgetHint(budgets),
      warnings: journeyWordWarnings(title, journey),
    })
  })

  app.get('/promises/try/:runId/screenshot', guards.page('promise.run'), async (c) => {
    const key = tries.get(c.req.param('runId'), ownerKey(c))
    if (!key) return c.text('No such screenshot (tries are kept for a while only).', 404)
    const png = await readTryEvidence(key).catch(() => null)
    if (!png) return c.text('The screenshot is gone.', 404)
    return c.body(new Uint8Array(png.buffer, png.byteOffset, png.byteLength) as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'image/png', 'cache-control': 'private, max-age=3600' })
  })

  app.get('/promises/:id/edit', guards.page('promise.write'), async (c) => {
    const row = await loadPromise(c.req.param('id'))
    if (!row) return notFound(c, 'No promise has this address. It may have been deleted.')
    if (row.source === 'check') return c.redirect(`/promises/${row.id}`, 303)
    const linked = await db.select({ id: promiseChannels.channelId }).from(promiseChannels).where(eq(promiseChannels.promiseId, row.id))
    return renderForm(c, {
      mode: 'edit',
      action: `/promises/${row.id}/edit`,
      values: valuesFromRow(row, linked.map((l) => l.id)),
      cancelHref: `/promises/${row.id}`,
    })
  })
  app.post('/promises/:id/edit', guards.post('promise.write'), async (c) => {
    const row = await loadPromise(c.req.param('id'))
    if (!row) return notFound(c, 'No promise has this address. It may have been deleted.')
    if (row.source === 'check') return c.redirect(`/promises/${row.id}`, 303)
    return submit(c, row)
  })

  // --- the promise page and its actions ---

  app.get('/promises/:id', guards.read, async (c) => {
    const row = await loadPromise(c.req.param('id'))
    if (!row) return notFound(c, 'No promise has this address. It may have been deleted.')
    const page = Math.max(1, Math.min(10_000, Number.parseInt(c.req.query('page') ?? '1', 10) || 1))
    const now = new Date()
    const { since7, since30 } = rateWindows(now)
    const [runRows, breakRows, rates, route] = await Promise.all([
      db
        .select()
        .from(runs)
        .where(eq(runs.promiseId, row.id))
        .orderBy(desc(runs.startedAt), desc(runs.id))
        .limit(RUNS_PER_PAGE + 1)
        .offset((page - 1) * RUNS_PER_PAGE),
      db.select().from(breaks).where(eq(breaks.promiseId, row.id)).orderBy(desc(breaks.openedAt)).limit(20),
      db
        .select({
          kept7: sql<number>`coalesce(sum(${runRollupsDaily.kept} + ${runRollupsDaily.atRisk}) filter (where ${runRollupsDaily.day} >= ${day(since7)}), 0)`.mapWith(Number),
          counted7: sql<number>`coalesce(sum(${runRollupsDaily.runs} - ${runRollupsDaily.errors}) filter (where ${runRollupsDaily.day} >= ${day(since7)}), 0)`.mapWith(Number),
          kept30: sql<number>`coalesce(sum(${runRollupsDaily.kept} + ${runRollupsDaily.atRisk}), 0)`.mapWith(Number),
          counted30: sql<number>`coalesce(sum(${runRollupsDaily.runs} - ${runRollupsDaily.errors}), 0)`.mapWith(Number),
        })
        .from(runRollupsDaily)
        .where(and(eq(runRollupsDaily.promiseId, row.id), gte(runRollupsDaily.day, day(since30)))),
      describeRoute(db, row.id),
    ])
    const r = rates[0] ?? { kept7: 0, counted7: 0, kept30: 0, counted30: 0 }
    const [live, maintenance, regions] = await Promise.all([liveStatus(row), maintenanceOf(db, row.id, now), regionsOf(row)])
    return c.html(
      <PromisePage
        {...signedIn(c)}
        notice={c.req.query('notice')}
        now={now}
        data={{
          promise: row,
          state: shownState(row),
          rate7: { kept: r.kept7, counted: r.counted7 },
          rate30: { kept: r.kept30, counted: r.counted30 },
          runs: runRows.slice(0, RUNS_PER_PAGE),
          hasMore: runRows.length > RUNS_PER_PAGE,
          page,
          breaks: breakRows,
          alertRoute: { ...route, mailConfigured: deps.mailConfigured ?? true },
          walking: live.walking,
          maintenance,
          nextWalkAt: live.nextWalkAt ? new Date(live.nextWalkAt) : null,
          baseUrl: deps.publicUrl ?? new URL(c.req.url).origin,
          regions,
        }}
      />,
    )
  })

  /** Its verdict in each of its regions, "not walked" where no worker is live (when the live regions are known). */
  async function regionsOf(row: typeof promises.$inferSelect): Promise<RegionVerdict[]> {
    const [stored, live] = await Promise.all([
      db.select().from(promiseRegions).where(eq(promiseRegions.promiseId, row.id)),
      deps.regions ? deps.regions.live().catch(() => null) : null,
    ])
    return regionVerdicts(row.regions, stored, live ? new Set(live) : undefined)
  }

  /**
   * Whether a walk asked for is queued or running: its run id is marked in
   * Redis (src/queue/scheduler.ts) and it is walking until that run is recorded.
   */
  async function liveStatus(row: typeof promises.$inferSelect) {
    const [runId, next] = await Promise.all([
      deps.scheduler.walking?.(row.id) ?? null,
      row.paused ? null : (deps.scheduler.nextWalkAt?.(row.id) ?? null),
    ])
    let walking = false
    if (runId && runId !== row.lastRunId) {
      const [recorded] = await db.select({ id: runs.id }).from(runs).where(eq(runs.id, runId)).limit(1)
      walking = !recorded
    }
    return {
      state: shownState(row),
      walking,
      lastRunId: row.lastRunId,
      lastRunAt: row.lastRunAt?.toISOString() ?? null,
      nextWalkAt: next?.toISOString() ?? null,
    }
  }

  // What the promise page's script polls while a walk is on its way.
  app.get('/promises/:id/live', guards.read, async (c) => {
    const row = await loadPromise(c.req.param('id'))
    if (!row) return c.json({ error: 'no such promise' }, 404)
    c.header('cache-control', 'no-store')
    return c.json(await liveStatus(row))
  })

  app.post('/promises/:id/run', guards.post('promise.run'), async (c) => {
    const row = await loadPromise(c.req.param('id'))
    if (!row) return notFound(c, 'No promise has this address. It may have been deleted.')
    await deps.scheduler.runNow(row.id)
    return c.redirect(`/promises/${row.id}?notice=run-queued`, 303)
  })

  for (const [verb, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post(`/promises/:id/${verb}`, guards.post('promise.write'), async (c) => {
      const row = await loadPromise(c.req.param('id'))
      if (!row) return notFound(c, 'No promise has this address. It may have been deleted.')
      await setPaused({ db, scheduler: deps.scheduler }, row, paused)
      return c.redirect(`/promises/${row.id}?notice=${paused ? 'paused' : 'resumed'}`, 303)
    })
  }

  app.get('/promises/:id/delete', guards.page('promise.write'), async (c) => {
    const row = await loadPromise(c.req.param('id'))
    if (!row) return notFound(c, 'No promise has this address. It may have been deleted.')
    return c.html(<DeletePage principal={principalOf(c)} csrfToken={c.get('csrfToken')} promise={row} />)
  })
  app.post('/promises/:id/delete', guards.post('promise.write'), async (c) => {
    const row = await loadPromise(c.req.param('id'))
    if (!row) return notFound(c, 'No promise has this address. It may have been deleted.')
    await deletePromise({ db, scheduler: deps.scheduler }, row)
    return c.redirect('/?notice=deleted', 303)
  })

  return app
}

/** The maintenance window in force for the promise now, and the next one ahead. */
async function maintenanceOf(db: Db, promiseId: string, now: Date): Promise<MaintenanceView> {
  const windows = await db
    .select()
    .from(maintenanceWindows)
    .where(and(gt(maintenanceWindows.endsAt, now), or(isNull(maintenanceWindows.promiseId), eq(maintenanceWindows.promiseId, promiseId))))
  const active = activeWindow(windows, promiseId, now)
  const ahead = windows
    .flatMap((w) => occurrences(w, now, new Date(now.getTime() + 30 * 86_400_000)).map((o) => ({ ...o, reason: w.reason })))
    .filter((o) => o.start > now)
    .sort((a, b) => a.start.getTime() - b.start.getTime())[0]
  return {
    now: active ? { until: active.until, reason: active.window.reason ?? null } : null,
    next: ahead ? { start: ahead.start, end: ahead.end, reason: ahead.reason ?? null } : null,
  }
}

/** Where the promise's alerts go now, with the channels' names. */
async function describeRoute(db: Db, promiseId: string): Promise<Omit<AlertRouteView, 'mailConfigured'>> {
  const route = await routeAlert(db, promiseId)
  if (route.via === 'owner') return { via: 'owner', names: [], recipient: route.recipient }
  if (route.via === 'nowhere') return { via: 'nowhere', names: [], recipient: null }
  const named = await db
    .select({ name: channels.name })
    .from(channels)
    .where(inArray(channels.id, route.channelIds))
    .orderBy(asc(channels.name))
  return { via: route.via, names: named.map((n) => n.name), recipient: null }
}

/** Budgets from the typed values, ignoring what does not parse (for a try). */
