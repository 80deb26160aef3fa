import { randomUUID } from 'node:crypto'
import { and, desc, eq, isNull, lte, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { breaks, promiseRegions, promises, runs } from '../db/schema.ts'
import { INITIAL_BREAK_STATE, nextBreakState, type BreakEvent } from '../domain/breaks.ts'
import { DEFAULT_REGION, worstState } from '../domain/region.ts'
import type { RunResult } from '../domain/run.ts'
import type { PromiseRow } from '../queue/spec.ts'
import { applyDrift } from './drift.ts'
import { refreshHours } from './rollups.ts'

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/** A promise's verdict in one region (promise_regions). */
type RegionRow = typeof promiseRegions.$inferSelect

/** The region a result was walked from: results of workers before regions were the region local's. */
const regionOf = (result: RunResult) => result.region ?? DEFAULT_REGION
const regionKey = (promiseId: string, region: string) => `${promiseId} ${region}`

export interface BreakChange {
  type: 'break.opened' | 'break.resolved'
  breakId: string
  promiseId: string
  /** The region whose walks opened or resolved it. */
  region?: string
  runId: string
  at: string
}

export type RecordResult =
  /** The promise is gone (deleted): nothing to record. */
  | { status: 'orphan' }
  /** Recorded before: nothing written; `changes` are the ones that run made, to re-emit. */
  | { status: 'duplicate'; promise: PromiseRow; changes: BreakChange[]; needsConfirmation: boolean }
  | { status: 'recorded'; promise: PromiseRow; counted: boolean; changes: BreakChange[]; needsConfirmation: boolean }

/**
 * Write one run result in one transaction: the run (once: a duplicate run
 * id changes nothing), its hourly rollup, and — unless it is older than
 * the last counted run — the promise's break state and the break it opens
 * or resolves. The promise row is locked, so results of one promise are
 * applied one at a time.
 */
export async function recordResult(db: Db, result: RunResult): Promise<RecordResult> {
  const [recorded] = await recordResults(db, [result])
  return recorded!
}

/**
 * Write a batch of results in one transaction, each exactly as
 * recordResult would: one multi-row insert … on conflict do nothing (a run
 * id already there, or twice in the batch, is a duplicate), one statement
 * for the touched hourly rollups, then each promise's results applied to
 * its break state in the order they started, and one update of the
 * promises that changed. All or nothing: a failure leaves every result to
 * be retried. Returns one outcome per result, in the order given.
 */
export async function recordResults(db: Db, results: RunResult[]): Promise<RecordResult[]> {
  if (results.length === 0) return []
  return db.transaction(async (tx) => {
    const promiseIds = [...new Set(results.map((r) => r.promiseId))].sort()
    // Locked in id order, so recorders writing at the same time never deadlock.
    // The ids travel as one parameter: building hundreds of them costs Node more than the query.
    const rows = await tx
      .select()
      .from(promises)
      .where(sql`${promises.id} = any(string_to_array(${promiseIds.join(',')}, ',')::uuid[])`)
      .orderBy(promises.id)
      .for('update')
    const current = new Map(rows.map((row) => [row.id, row]))
    // Each promise's verdict in each region: the break state machine runs per region.
    const regionRows = await tx
      .select()
      .from(promiseRegions)
      .where(sql`${promiseRegions.promiseId} = any(string_to_array(${promiseIds.join(',')}, ',')::uuid[])`)
    const regional = new Map(regionRows.map((row) => [regionKey(row.promiseId, row.region), row]))

    const outcomes: RecordResult[] = results.map(() => ({ status: 'orphan' as const }))
    const live = results.map((result, index) => ({ result, index })).filter(({ result }) => current.has(result.promiseId))
    const firstOfRun = new Map<string, number>()
    for (const { result, index } of live) if (!firstOfRun.has(result.runId)) firstOfRun.set(result.runId, index)
    const candidates = live.filter(({ result, index }) => firstOfRun.get(result.runId) === index)
    const inserted = candidates.length === 0 ? [] : await insertRuns(tx, candidates.map(({ result }) => result))
    const fresh = new Set(inserted.map((row) => row.id))
    const isNew = (result: RunResult, index: number) => fresh.has(result.runId) && firstOfRun.get(result.runId) === index
    const newRuns = live.filter(({ result, index }) => isNew(result, index)).map(({ result }) => result)
    await refreshHours(tx, newRuns.map((r) => ({ promiseId: r.promiseId, at: new Date(r.startedAt) })))

    // Each promise's results in the order they started (ties: as given).
    const started = live.map(({ result }) => Date.parse(result.startedAt))
    const ordered = live
      .map((entry, i) => ({ ...entry, at: started[i]! }))
      .sort(
        (a, b) =>
          (a.result.promiseId < b.result.promiseId ? -1 : a.result.promiseId > b.result.promiseId ? 1 : 0) ||
          a.at - b.at ||
          a.index - b.index,
      )
    const changed = new Set<string>()
    const changedRegions = new Set<string>()
    for (const { result, index } of ordered) {
      const promise = current.get(result.promiseId)!
      const key = regionKey(promise.id, regionOf(result))
      const inRegion = regional.get(key) ?? newRegionRow(promise.id, regionOf(result))
      if (!isNew(result, index)) {
        outcomes[index] = await duplicate(tx, promise, inRegion, result)
        continue
      }
      const applied = await applyResult(tx, promise, inRegion, result)
      outcomes[index] = applied.outcome
      if (applied.next) {
        regional.set(key, applied.next)
        changedRegions.add(key)
        const latest = promise.lastRunAt && applied.next.lastRunAt! < promise.lastRunAt ? { lastRunId: promise.lastRunId, lastRunAt: promise.lastRunAt } : { lastRunId: result.runId, lastRunAt: applied.next.lastRunAt }
        current.set(promise.id, { ...overall(promise, regional), ...latest })
        changed.add(promise.id)
      }
    }
    await saveRegionStates(tx, [...changedRegions].map((key) => regional.get(key)!))
    await saveBreakStates(tx, [...changed].map((id) => current.get(id)!))
    await applyDrift(tx, current, newRuns)
    return outcomes
  })
}

/**
 * Insert runs, skipping run ids already there; returns the ids inserted.
 * The batch travels as one JSON parameter (jsonb_to_recordset): one
 * statement whatever its size, cheap to build and to parse.
 */
async function insertRuns(tx: Tx, results: RunResult[]): Promise<{ id: string }[]> {
  const rows = results.map((r) => ({
    id: r.runId,
    promise_id: r.promiseId,
    trigger: r.trigger,
    outcome: r.outcome,
    clicks: r.clicks,
    duration_ms: Math.round(r.durationMs),
    started_at: r.startedAt,
    finished_at: r.finishedAt,
    steps: r.steps,
    failure: r.failure,
    // A result of an older worker has no list: its one failure is the list.
    failures: r.failures ?? (r.failure ? [r.failure] : []),
    vitals: r.vitals,
    screenshot_path: r.screenshotPath,
    trace_path: r.tracePath,
    worker_id: r.workerId,
    region: r.region ?? null,
    confirm_of: r.confirmOf ?? null,
  }))
  const inserted = await tx.execute(sql`
    insert into runs (id, promise_id, trigger, outcome, clicks, duration_ms, started_at, finished_at,
                      steps, failure, failures, vitals, screenshot_path, trace_path, worker_id, region, confirm_of)
    select id, promise_id, trigger, outcome, clicks, duration_ms, started_at, finished_at,
           steps, failure, failures, vitals, screenshot_path, trace_path, worker_id, region, confirm_of
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r (
      id uuid, promise_id uuid, trigger text, outcome text, clicks integer, duration_ms integer,
      started_at timestamptz, finished_at timestamptz, steps jsonb, failure jsonb, failures jsonb, vitals jsonb,
      screenshot_path text, trace_path text, worker_id text, region text, confirm_of uuid)
    on conflict (id) do nothing
    returning id`)
  // postgres.js answers with the rows, PGlite with { rows }.
  return (Array.isArray(inserted) ? inserted : (inserted as { rows: { id: string }[] }).rows) as { id: string }[]
}

function newRegionRow(promiseId: string, region: string): RegionRow {
  return { promiseId, region, ...INITIAL_BREAK_STATE, lastRunId: null, lastRunAt: null, notWalkedToldAt: null }
}

/**
 * The promise's own state from its regions' (those it is walked from now;
 * a region dropped since keeps its rows but no longer counts): the worst
 * verdict, the open break of the first broken region, the longest streaks.
 */
function overall(promise: PromiseRow, regional: ReadonlyMap<string, RegionRow>): PromiseRow {
  const rows = [...promise.regions].sort().flatMap((region) => regional.get(regionKey(promise.id, region)) ?? [])
  if (rows.length === 0) return promise
  return {
    ...promise,
    state: worstState(rows.map((row) => row.state)),
    consecutiveBroken: Math.max(...rows.map((row) => row.consecutiveBroken)),
    consecutiveKept: Math.min(...rows.map((row) => row.consecutiveKept)),
    openBreakId: rows.find((row) => row.openBreakId !== null)?.openBreakId ?? null,
  }
}

/** A run recorded before: nothing written; the changes it made are read back to re-emit. */
async function duplicate(tx: Tx, promise: PromiseRow, inRegion: RegionRow, result: RunResult): Promise<RecordResult> {
  const changes = await changesMadeBy(tx, result.runId)
  const confirmed = await tx.select({ id: runs.id }).from(runs).where(eq(runs.confirmOf, result.runId)).limit(1)
  return {
    status: 'duplicate',
    promise,
    changes,
    needsConfirmation: confirmed.length === 0 && wantsConfirmation(promise, result, inRegion.openBreakId),
  }
}

/**
 * Apply a newly inserted run to its promise's break state in the run's
 * region. `next` is the region's row as it stands after the run, or absent
 * when the run does not count (a late result, kept but never rewinding the
 * state).
 */
async function applyResult(
  tx: Tx,
  promise: PromiseRow,
  inRegion: RegionRow,
  result: RunResult,
): Promise<{ outcome: RecordResult; next?: RegionRow }> {
  const startedAt = new Date(result.startedAt)
  if (inRegion.lastRunAt && startedAt < inRegion.lastRunAt) {
    return { outcome: { status: 'recorded', promise, counted: false, changes: [], needsConfirmation: false } }
  }

  const step = nextBreakState(
    {
      state: inRegion.state,
      consecutiveBroken: inRegion.consecutiveBroken,
      consecutiveKept: inRegion.consecutiveKept,
      openBreakId: inRegion.openBreakId,
    },
    result.outcome,
    randomUUID(),
    { breakAfter: promise.breakAfter, resolveAfter: promise.resolveAfter },
  )
  let next = step.next
  const changes: BreakChange[] = []
  if (step.event?.type === 'open') {
    const opened = await openBreak(tx, promise.id, step.event.breakId, result, next.consecutiveBroken)
    if (opened.opened) changes.push(change('break.opened', opened.breakId, result, opened.at))
    next = { ...next, openBreakId: opened.breakId }
  } else if (step.event?.type === 'resolve') {
    const resolved = await resolveBreak(tx, step.event, result)
    if (resolved) changes.push(change('break.resolved', step.event.breakId, result, startedAt))
  }

  return {
    outcome: {
      status: 'recorded',
      promise,
      counted: result.outcome !== 'error',
      changes,
      needsConfirmation: wantsConfirmation(promise, result, next.openBreakId),
    },
    next: { ...inRegion, ...next, lastRunId: result.runId, lastRunAt: startedAt },
  }
}

/** Persist the regions' verdicts a batch changed, in one statement. */
async function saveRegionStates(tx: Tx, rows: RegionRow[]): Promise<void> {
  if (rows.length === 0) return
  const states = rows.map((r) => ({
    promise_id: r.promiseId,
    region: r.region,
    state: r.state,
    consecutive_broken: r.consecutiveBroken,
    consecutive_kept: r.consecutiveKept,
    open_break_id: r.openBreakId,
    last_run_id: r.lastRunId,
    last_run_at: r.lastRunAt?.toISOString() ?? null,
  }))
  // A walk came from the region: whoever was told it was not walked is told no more until it stops again.
  await tx.execute(sql`
    insert into promise_regions (promise_id, region, state, consecutive_broken, consecutive_kept, open_break_id, last_run_id, last_run_at)
    select promise_id, region, state, consecutive_broken, consecutive_kept, open_break_id, last_run_id, last_run_at
    from jsonb_to_recordset(${JSON.stringify(states)}::jsonb) as v (
      promise_id uuid, region text, state text, consecutive_broken integer, consecutive_kept integer,
      open_break_id uuid, last_run_id uuid, last_run_at timestamptz)
    on conflict (promise_id, region) do update set
      state = excluded.state, consecutive_broken = excluded.consecutive_broken, consecutive_kept = excluded.consecutive_kept,
      open_break_id = excluded.open_break_id, last_run_id = excluded.last_run_id, last_run_at = excluded.last_run_at,
      not_walked_told_at = null
  `)
}

/** Persist the break state of the promises a batch changed, in one statement. */
async function saveBreakStates(tx: Tx, rows: PromiseRow[]): Promise<void> {
  if (rows.length === 0) return
  const states = rows.map((p) => ({
    id: p.id,
    state: p.state,
    consecutive_broken: p.consecutiveBroken,
    consecutive_kept: p.consecutiveKept,
    open_break_id: p.openBreakId,
    last_run_id: p.lastRunId,
    last_run_at: p.lastRunAt?.toISOString() ?? null,
  }))
  await tx.execute(sql`
    update promises set
      state = v.state, consecutive_broken = v.consecutive_broken, consecutive_kept = v.consecutive_kept,
      open_break_id = v.open_break_id, last_run_id = v.last_run_id, last_run_at = v.last_run_at,
      overdue_since = null
    from jsonb_to_recordset(${JSON.stringify(states)}::jsonb) as v (
      id uuid, state text, consecutive_broken integer, consecutive_kept integer,
      open_break_id uuid, last_run_id uuid, last_run_at timestamptz)
    where promises.id = v.id
  `)
}

/**
 * A broken run that is not itself a confirmation gets one immediate
 * re-run, when the promise asks for it and no break is open yet.
 */
function wantsConfirmation(promise: PromiseRow, result: RunResult, openBreakId: string | null): boolean {
  return (
    result.outcome === 'broken' &&
    result.trigger !== 'confirm' &&
    promise.confirmBroken &&
    !promise.paused &&
    openBreakId === null
  )
}

async function openBreak(
  db: Tx,
  promiseId: string,
  breakId: string,
  result: RunResult,
  streak: number,
): Promise<{ breakId: string; opened: boolean; at: Date }> {
  // The break starts with the first broken run of the streak.
  const streakRuns = await db
    .select({ id: runs.id, startedAt: runs.startedAt })
    .from(runs)
    .where(
      and(
        eq(runs.promiseId, promiseId),
        eq(runs.outcome, 'broken'),
        lte(runs.startedAt, new Date(result.startedAt)),
        sql`coalesce(${runs.region}, ${DEFAULT_REGION}) = ${regionOf(result)}`,
      ),
    )
    .orderBy(desc(runs.startedAt))
    .limit(streak)
  const first = streakRuns.at(-1)
  const at = first?.startedAt ?? new Date(result.startedAt)
  const inserted = await db
    .insert(breaks)
    .values({
      id: breakId,
      promiseId,
      openedAt: at,
      firstRunId: first?.id ?? result.runId,
      openedByRunId: result.runId,
      failure: result.failure,
      region: regionOf(result),
    })
    .onConflictDoNothing({ target: [breaks.promiseId, breaks.region], where: sql`${breaks.resolvedAt} is null` })
    .returning({ id: breaks.id })
  if (inserted.length > 0) return { breakId, opened: true, at }
  // The promise row said no break was open, but one is: adopt it.
  const [open] = await db
    .select({ id: breaks.id, openedAt: breaks.openedAt })
    .from(breaks)
    .where(and(eq(breaks.promiseId, promiseId), eq(breaks.region, regionOf(result)), isNull(breaks.resolvedAt)))
  return { breakId: open!.id, opened: false, at: open!.openedAt }
}

async function resolveBreak(db: Tx, event: BreakEvent, result: RunResult): Promise<boolean> {
  const updated = await db
    .update(breaks)
    .set({ resolvedAt: new Date(result.startedAt), resolvedByRunId: result.runId })
    .where(and(eq(breaks.id, event.breakId), isNull(breaks.resolvedAt)))
    .returning({ id: breaks.id })
  return updated.length > 0
}

/** The break changes a run made, read back (for re-emitting after a crash between commit and emit). */
async function changesMadeBy(db: Tx, runId: string): Promise<BreakChange[]> {
  const rows = await db
    .select()
    .from(breaks)
    .where(or(eq(breaks.openedByRunId, runId), eq(breaks.resolvedByRunId, runId)))
  const changes: BreakChange[] = []
  for (const row of rows) {
    if (row.openedByRunId === runId) {
      changes.push({ type: 'break.opened', breakId: row.id, promiseId: row.promiseId, region: row.region, runId, at: row.openedAt.toISOString() })
    }
    if (row.resolvedByRunId === runId && row.resolvedAt) {
      changes.push({ type: 'break.resolved', breakId: row.id, promiseId: row.promiseId, region: row.region, runId, at: row.resolvedAt.toISOString() })
    }
  }
  return changes
}

function change(type: BreakChange['type'], breakId: string, result: RunResult, at: Date): BreakChange {
  return { type, breakId, promiseId: result.promiseId, region: regionOf(result), runId: result.runId, at: at.toISOString() }
}
