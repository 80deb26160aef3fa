import { and, asc, desc, eq, gt, gte, inArray, isNull, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { breakNotes, breaks, maintenanceWindows, promises, runRollupsDaily } from '../db/schema.ts'
import { appliesTo, occurrences } from '../domain/maintenance.ts'
import {
  inMaintenance,
  publicState,
  statusDates,
  statusDays,
  summary,
  type PublicState,
  type StatusDay,
} from '../domain/status.ts'

// What the public status page shows, read in five queries whatever the
// number of promises: the public promises, their daily rollups over 90
// days (run_rollups_daily: 90 rows a promise), their breaks in that time
// with public notes, and maintenance windows. Only fields a customer may
// see leave this module.

export interface StatusPromise {
  id: string
  title: string
  state: PublicState
  /** Share of counted runs kept over the history, null when none counted. */
  keptRate: number | null
  days: StatusDay[]
}

export interface Incident {
  id: string
  promiseId: string
  title: string
  openedAt: Date
  resolvedAt: Date | null
  notes: { at: Date; body: string }[]
}

export interface MaintenanceAhead {
  start: Date
  end: Date
  /** The public promises it covers; empty: all of them. */
  promises: { id: string; title: string }[]
}

export interface StatusData {
  name: string
  generatedAt: Date
  summary: { state: PublicState; text: string }
  promises: StatusPromise[]
  incidents: Incident[]
  maintenance: MaintenanceAhead[]
}

const DAY_MS = 86_400_000
/** How far ahead planned maintenance is announced. */
export const MAINTENANCE_AHEAD_DAYS = 14

export async function loadStatus(db: Db, options: { name: string; now?: Date }): Promise<StatusData> {
  const now = options.now ?? new Date()
  const dates = statusDates(now)
  const since = new Date(`${dates[0]}T00:00:00Z`)
  const shown = await db
    .select({
      id: promises.id,
      title: sql<string>`coalesce(${promises.publicTitle}, ${promises.title})`,
      paused: promises.paused,
      state: promises.state,
      overdueSince: promises.overdueSince,
    })
    .from(promises)
    .where(eq(promises.public, true))
    .orderBy(asc(sql`lower(coalesce(${promises.publicTitle}, ${promises.title}))`), asc(promises.id))
  const ids = shown.map((p) => p.id)
  const empty = { name: options.name, generatedAt: now, summary: summary([]), promises: [], incidents: [], maintenance: [] }
  if (ids.length === 0) return empty

  const [daily, breakRows, windows] = await Promise.all([
    db
      .select({
        promiseId: runRollupsDaily.promiseId,
        kept: sql<number>`sum(${runRollupsDaily.kept} + ${runRollupsDaily.atRisk})`.mapWith(Number),
        counted: sql<number>`sum(${runRollupsDaily.runs} - ${runRollupsDaily.errors})`.mapWith(Number),
        // The days walked, as one text: a row a promise, not 90.
        walked: sql<string>`coalesce(string_agg(${runRollupsDaily.day}::text, ',') filter (where ${runRollupsDaily.runs} > ${runRollupsDaily.errors}), '')`,
      })
      .from(runRollupsDaily)
      .where(and(inArray(runRollupsDaily.promiseId, ids), gte(runRollupsDaily.day, dates[0]!)))
      .groupBy(runRollupsDaily.promiseId),
    db
      .select({ id: breaks.id, promiseId: breaks.promiseId, openedAt: breaks.openedAt, resolvedAt: breaks.resolvedAt })
      .from(breaks)
      .where(and(inArray(breaks.promiseId, ids), or(isNull(breaks.resolvedAt), gt(breaks.resolvedAt, since))))
      .orderBy(desc(breaks.openedAt)),
    db.select().from(maintenanceWindows).where(and(gt(maintenanceWindows.endsAt, since), or(isNull(maintenanceWindows.promiseId), inArray(maintenanceWindows.promiseId, ids)))),
  ])
  const notes = breakRows.length
    ? await db
        .select({ breakId: breakNotes.breakId, at: breakNotes.createdAt, body: breakNotes.body })
        .from(breakNotes)
        .where(and(eq(breakNotes.public, true), inArray(breakNotes.breakId, breakRows.map((b) => b.id))))
        .orderBy(asc(breakNotes.createdAt))
    : []

  const walked = new Map(daily.map((d) => [d.promiseId, new Set(d.walked ? d.walked.split(',') : [])]))
  const rates = new Map(daily.map((d) => [d.promiseId, { kept: d.kept, counted: d.counted }]))
  const breaksOf = new Map<string, typeof breakRows>()
  for (const b of breakRows) {
    const list = breaksOf.get(b.promiseId)
    if (list) list.push(b)
    else breaksOf.set(b.promiseId, [b])
  }
  const titleOf = new Map(shown.map((p) => [p.id, p.title]))

  const statusPromises = shown.map((p): StatusPromise => {
    const own = windows.filter((w) => appliesTo(w, p.id))
    const rate = rates.get(p.id)
    return {
      id: p.id,
      title: p.title,
      state: publicState(p, inMaintenance(own, p.id, now)),
      keptRate: rate && rate.counted > 0 ? rate.kept / rate.counted : null,
      days: statusDays({ dates, walked: walked.get(p.id) ?? new Set(), breaks: breaksOf.get(p.id) ?? [], maintenance: own, now }),
    }
  })

  const aheadUntil = new Date(now.getTime() + MAINTENANCE_AHEAD_DAYS * DAY_MS)
  const maintenance = windows
    .flatMap((w) =>
      occurrences(w, now, aheadUntil).map((o) => ({
        start: o.start,
        end: o.end,
        promises: w.promiseId ? [{ id: w.promiseId, title: titleOf.get(w.promiseId)! }] : [],
      })),
    )
    .filter((m) => m.end > now)
    .sort((a, b) => a.start.getTime() - b.start.getTime())

  return {
    name: options.name,
    generatedAt: now,
    summary: summary(statusPromises.map((p) => p.state)),
    promises: statusPromises,
    incidents: breakRows.map((b) => ({
      id: b.id,
      promiseId: b.promiseId,
      title: titleOf.get(b.promiseId)!,
      openedAt: b.openedAt,
      resolvedAt: b.resolvedAt,
      notes: notes.filter((n) => n.breakId === b.id).map((n) => ({ at: n.at, body: n.body })),
    })),
    maintenance,
  }
}
