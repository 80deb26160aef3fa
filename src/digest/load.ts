import { namesRegions } from '../domain/region.ts'
import { and, gt, gte, inArray, isNull, lt, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { breaks, maintenanceWindows, promises, runRollups, runs } from '../db/schema.ts'
import { explainFailure } from '../domain/alert-message.ts'
import type { DigestInput, RunCounts } from '../domain/digest.ts'
import type { BreakSpan } from '../domain/nps.ts'
import type { Failure } from '../domain/run.ts'
import { previousWeek, weekRange } from '../domain/week.ts'

// What the digest of a week needs from Postgres, in five queries. Run
// counts come from the hourly rollups (never raw runs, pruned after 30 days
// and far more rows); an hour belongs to the week its start falls in.

const noRuns: RunCounts = { runs: 0, kept: 0, atRisk: 0, broken: 0, errors: 0, p95Ms: null }

export async function loadDigestInput(db: Db, options: { week: string; timezone: string; now: Date }): Promise<DigestInput> {
  const { week, timezone, now } = options
  const range = weekRange(week, timezone)
  const from = weekRange(previousWeek(week), timezone).start

  // Paused promises too: computeDigest keeps those that broke in the week.
  const promiseRows = await db
    .select({
      id: promises.id,
      title: promises.title,
      dailyCustomers: promises.dailyCustomers,
      detractorRate: promises.detractorRate,
      marketingOwner: promises.marketingOwner,
      techOwner: promises.techOwner,
      paused: promises.paused,
      budgets: promises.budgets,
      claimDrift: promises.claimDrift,
      regions: promises.regions,
    })
    .from(promises)
    .where(lt(promises.createdAt, range.end))

  const breakRows = await db
    .select({ promiseId: breaks.promiseId, openedAt: breaks.openedAt, resolvedAt: breaks.resolvedAt, openedByRunId: breaks.openedByRunId, failure: breaks.failure, region: breaks.region })
    .from(breaks)
    .where(and(lt(breaks.openedAt, range.end), or(isNull(breaks.resolvedAt), gt(breaks.resolvedAt, from))))

  const maintenance = await db
    .select()
    .from(maintenanceWindows)
    .where(and(lt(maintenanceWindows.startsAt, range.end), gt(maintenanceWindows.endsAt, from)))

  const countsOf = await loadRunCounts(db, promiseRows.map((p) => p.id), { from, start: range.start, end: range.end })

  const breaksOf = new Map<string, BreakSpan[]>()
  for (const row of breakRows) {
    const list = breaksOf.get(row.promiseId) ?? []
    list.push({ openedAt: row.openedAt, resolvedAt: row.resolvedAt, region: row.region })
    breaksOf.set(row.promiseId, list)
  }
  const whyOf = await loadBreakReasons(db, breakRows, range)
  return {
    week,
    timezone,
    now,
    maintenance,
    claimDrift: promiseRows.flatMap((row) => (row.claimDrift ? [{ promiseId: row.id, title: row.title, drift: row.claimDrift }] : [])),
    promises: promiseRows.map((row) => ({
      id: row.id,
      title: row.title,
      dailyCustomers: row.dailyCustomers,
      detractorRate: row.detractorRate,
      marketingOwner: row.marketingOwner,
      techOwner: row.techOwner,
      paused: row.paused,
      maxSeconds: row.budgets.maxSeconds ?? null,
      breaks: breaksOf.get(row.id) ?? [],
      lastBreakWhy: whyOf.get(row.id) ?? null,
      regionsNamed: namesRegions(row.regions),
      runs: countsOf.get(`${row.id}:true`) ?? noRuns,
      previousRuns: countsOf.get(`${row.id}:false`) ?? noRuns,
    })),
  }
}

type BreakRow = { promiseId: string; openedAt: Date; resolvedAt: Date | null; openedByRunId: string; failure: Failure | null }

/**
 * Why each promise's latest break of the week broke, in the words its
 * alert used (explainFailure of the run that opened it): the digest and
 * the alert say the same.
 */
async function loadBreakReasons(db: Db, rows: BreakRow[], range: { start: Date; end: Date }): Promise<Map<string, string>> {
  const latest = new Map<string, BreakRow>()
  for (const row of rows) {
    if (row.resolvedAt !== null && row.resolvedAt <= range.start) continue
    const known = latest.get(row.promiseId)
    if (!known || row.openedAt > known.openedAt) latest.set(row.promiseId, row)
  }
  const reasons = new Map<string, string>()
  if (latest.size === 0) return reasons
  const runIds = [...latest.values()].map((row) => row.openedByRunId)
  const runRows = await db
    .select({ id: runs.id, startedAt: runs.startedAt, steps: runs.steps, failure: runs.failure, failures: runs.failures })
    .from(runs)
    .where(inArray(runs.id, runIds))
  const runOf = new Map(runRows.map((run) => [run.id, run]))
  for (const [promiseId, brk] of latest) {
    const run = runOf.get(brk.openedByRunId)
    const facts = run ? { ...run, failure: run.failure ?? brk.failure } : { id: brk.openedByRunId, startedAt: brk.openedAt, steps: [], failure: brk.failure }
    if (facts.failure) reasons.set(promiseId, explainFailure(facts))
  }
  return reasons
}

/** Run counts per promise for [from, start) and [start, end), keyed `<id>:false` and `<id>:true`. */
async function loadRunCounts(
  db: Db,
  promiseIds: string[],
  range: { from: Date; start: Date; end: Date },
): Promise<Map<string, RunCounts>> {
  const counts = new Map<string, RunCounts>()
  if (promiseIds.length === 0) return counts
  const rows = await db
    .select({
      promiseId: runRollups.promiseId,
      thisWeek: sql<boolean>`${runRollups.hour} >= ${range.start.toISOString()}::timestamptz`.mapWith(
        (v) => v === true || v === 't',
      ),
      runs: sql<number>`sum(${runRollups.runs})`.mapWith(Number),
      kept: sql<number>`sum(${runRollups.kept})`.mapWith(Number),
      atRisk: sql<number>`sum(${runRollups.atRisk})`.mapWith(Number),
      broken: sql<number>`sum(${runRollups.broken})`.mapWith(Number),
      errors: sql<number>`sum(${runRollups.errors})`.mapWith(Number),
      p95Ms: sql<number | null>`max(${runRollups.p95Ms})`,
    })
    .from(runRollups)
    // The ids lead the primary key (promise_id, hour): one index range scan each.
    .where(and(inArray(runRollups.promiseId, promiseIds), gte(runRollups.hour, range.from), lt(runRollups.hour, range.end)))
    // By position: the week test holds a parameter, which Postgres would not match to the select's.
    .groupBy(sql`1`, sql`2`)
  for (const { promiseId, thisWeek, p95Ms, ...rest } of rows) {
    counts.set(`${promiseId}:${thisWeek}`, { ...rest, p95Ms: p95Ms === null ? null : Number(p95Ms) })
  }
  return counts
}
