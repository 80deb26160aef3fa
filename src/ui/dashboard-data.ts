import { and, asc, eq, gt, gte, inArray, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { breaks, maintenanceWindows, promises, runRollupsDaily } from '../db/schema.ts'
import type { ClaimDrift } from '../domain/claims/drift.ts'
import { activeWindow } from '../domain/maintenance.ts'
import { PROMISE_STATES, type PromiseState, type StoredState } from '../domain/run.ts'
import { regionSummary, regionVerdicts } from '../domain/region.ts'
import { storedRegions } from '../api/views/promises.ts'
import { shownStateSql, showsShownState } from '../db/promise-state.ts'

// The dashboard's data in five small queries, whatever the number of runs:
// one page of promises (with the open break joined and the total counted
// in the same query), the state counts, the owners for the filter, the
// daily kept rates of the page's promises from the daily rollups (30 rows
// a promise, by primary key), and the maintenance windows not over yet.
// Raw runs are never scanned here.

export const PAGE_SIZE = 100
export const HISTORY_DAYS = 30
const DAY_MS = 86_400_000

export interface DashboardFilters {
  owner?: string
  state?: PromiseState
  page: number
}

export interface DayRate {
  /** YYYY-MM-DD (UTC). */
  day: string
  /** Runs that count (errors are ours, not the promise's). */
  counted: number
  /** Kept and at-risk runs. */
  kept: number
  broken: number
}

export interface DashboardRow {
  id: string
  title: string
  state: PromiseState
  marketingOwner: string | null
  techOwner: string | null
  lastRunAt: Date | null
  openBreakSince: Date | null
  source: string
  days: DayRate[]
  rate7: { kept: number; counted: number }
  rate30: { kept: number; counted: number }
  /** In a maintenance window now: until when, and why. */
  maintenance: { until: Date; reason: string | null } | null
  /** The site's words drift from what customers live (claim drift). */
  claimDrift: ClaimDrift | null
  /** "broken in eu, kept in us": said only when the promise names regions. */
  regionWords: string
}

export interface Dashboard {
  rows: DashboardRow[]
  total: number
  counts: Record<PromiseState, number>
  allPromises: number
  owners: string[]
}


function filterClause(filters: DashboardFilters): SQL | undefined {
  const parts: SQL[] = []
  if (filters.owner) {
    parts.push(or(eq(promises.marketingOwner, filters.owner), eq(promises.techOwner, filters.owner))!)
  }
  if (filters.state) parts.push(showsShownState(filters.state))
  return parts.length ? and(...parts) : undefined
}

/** The UTC days of the chart, oldest first, ending today. */
export function historyDays(now: Date): string[] {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS
  return Array.from({ length: HISTORY_DAYS }, (_, i) =>
    new Date(today - (HISTORY_DAYS - 1 - i) * DAY_MS).toISOString().slice(0, 10),
  )
}

/** Where the 7- and 30-day kept rates start: whole UTC days, today included, as in the chart. */
export function rateWindows(now: Date): { since7: Date; since30: Date } {
  const days = historyDays(now)
  return { since7: new Date(days[days.length - 7]!), since30: new Date(days[0]!) }
}

function maintenanceOf(windows: (typeof maintenanceWindows.$inferSelect)[], promiseId: string, now: Date) {
  const active = activeWindow(windows, promiseId, now)
  return active ? { until: active.until, reason: active.window.reason } : null
}

export async function loadDashboard(db: Db, filters: DashboardFilters, now = new Date(), liveRegions?: ReadonlySet<string>): Promise<Dashboard> {
  const page = await db
    .select({
      id: promises.id,
      title: promises.title,
      state: shownStateSql,
      marketingOwner: promises.marketingOwner,
      techOwner: promises.techOwner,
      lastRunAt: promises.lastRunAt,
      source: promises.source,
      openBreakSince: breaks.openedAt,
      claimDrift: promises.claimDrift,
      regions: promises.regions,
      regionStates: sql<{ region: string; state: StoredState; lastRunAt: string | null }[] | string>`coalesce((select json_agg(json_build_object('region', pr.region, 'state', pr.state, 'lastRunAt', pr.last_run_at))
        from promise_regions pr where pr.promise_id = ${promises.id}), '[]')`,
      total: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(promises)
    .leftJoin(breaks, eq(breaks.id, promises.openBreakId))
    .where(filterClause(filters))
    // Worst first: what needs attention is at the top.
    .orderBy(
      sql`case ${shownStateSql} when 'broken' then 0 when 'overdue' then 1 when 'at_risk' then 2 when 'pending' then 3 when 'paused' then 5 else 4 end`,
      asc(promises.title),
      asc(promises.id),
    )
    .limit(PAGE_SIZE)
    .offset((filters.page - 1) * PAGE_SIZE)

  const [countRows, ownerRows, rollups, windows] = await Promise.all([
    db
      .select({ state: shownStateSql, n: sql<number>`count(*)`.mapWith(Number) })
      .from(promises)
      .groupBy(shownStateSql),
    db
      .select({ owner: promises.marketingOwner })
      .from(promises)
      .union(db.select({ owner: promises.techOwner }).from(promises)),
    page.length === 0
      ? Promise.resolve([])
      : db
          .select({
            promiseId: runRollupsDaily.promiseId,
            day: runRollupsDaily.day,
            counted: sql<number>`${runRollupsDaily.runs} - ${runRollupsDaily.errors}`.mapWith(Number),
            kept: sql<number>`${runRollupsDaily.kept} + ${runRollupsDaily.atRisk}`.mapWith(Number),
            broken: runRollupsDaily.broken,
          })
          .from(runRollupsDaily)
          .where(
            and(
              inArray(
                runRollupsDaily.promiseId,
                page.map((p) => p.id),
              ),
              gte(runRollupsDaily.day, historyDays(now)[0]!),
            ),
          ),
    // Windows in force or ahead are few: one query, matched in memory.
    db.select().from(maintenanceWindows).where(gt(maintenanceWindows.endsAt, now)),
  ])

  const days = historyDays(now)
  const last7 = new Set(days.slice(-7))
  const byPromise = new Map<string, Map<string, DayRate>>()
  for (const r of rollups) {
    const map = byPromise.get(r.promiseId) ?? new Map<string, DayRate>()
    map.set(r.day, { day: r.day, counted: r.counted, kept: r.kept, broken: r.broken })
    byPromise.set(r.promiseId, map)
  }

  const rows: DashboardRow[] = page.map((p) => {
    const map = byPromise.get(p.id)
    const series = days.map((day) => map?.get(day) ?? { day, counted: 0, kept: 0, broken: 0 })
    const sum = (list: DayRate[]) =>
      list.reduce((acc, d) => ({ kept: acc.kept + d.kept, counted: acc.counted + d.counted }), { kept: 0, counted: 0 })
    return {
      id: p.id,
      title: p.title,
      state: p.state,
      marketingOwner: p.marketingOwner,
      techOwner: p.techOwner,
      lastRunAt: p.lastRunAt,
      source: p.source,
      openBreakSince: p.openBreakSince,
      days: series,
      rate7: sum(series.filter((d) => last7.has(d.day))),
      rate30: sum(series),
      maintenance: maintenanceOf(windows, p.id, now),
      claimDrift: p.claimDrift ?? null,
      regionWords: regionSummary(regionVerdicts(p.regions, storedRegions(p.regionStates), liveRegions)),
    }
  })

  const counts = Object.fromEntries(PROMISE_STATES.map((s) => [s, 0])) as Record<PromiseState, number>
  for (const c of countRows) counts[c.state] = c.n
  return {
    rows,
    total: page[0]?.total ?? 0,
    counts,
    allPromises: Object.values(counts).reduce((a, b) => a + b, 0),
    owners: ownerRows
      .map((o) => o.owner)
      .filter((o): o is string => o !== null && o !== '')
      .sort(),
  }
}
