import { randomUUID } from 'node:crypto'
import { and, desc, eq, isNull, lte, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { breaks, promises, runs } from '../db/schema.ts'
import { nextBreakState, type BreakEvent } from '../domain/breaks.ts'
import type { RunResult } from '../domain/run.ts'
import type { PromiseRow } from '../queue/spec.ts'
import { refreshHour } from './rollups.ts'

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export interface BreakChange {
  type: 'break.opened' | 'break.resolved'
  breakId: string
  promiseId: string
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
  return db.transaction(async (tx) => {
    const [promise] = await tx.select().from(promises).where(eq(promises.id, result.promiseId)).for('update')
    if (!promise) return { status: 'orphan' as const }

    const startedAt = new Date(result.startedAt)
    const inserted = await tx
      .insert(runs)
      .values({
        id: result.runId,
        promiseId: result.promiseId,
        trigger: result.trigger,
        outcome: result.outcome,
        clicks: result.clicks,
        durationMs: Math.round(result.durationMs),
        startedAt,
        finishedAt: new Date(result.finishedAt),
        steps: result.steps,
        failure: result.failure,
        vitals: result.vitals,
        screenshotPath: result.screenshotPath,
        tracePath: result.tracePath,
        workerId: result.workerId,
        region: result.region ?? null,
        confirmOf: result.confirmOf ?? null,
      })
      .onConflictDoNothing({ target: runs.id })
      .returning({ id: runs.id })
    if (inserted.length === 0) {
      const changes = await changesMadeBy(tx, result.runId)
      const confirmed = await tx.select({ id: runs.id }).from(runs).where(eq(runs.confirmOf, result.runId)).limit(1)
      return {
        status: 'duplicate' as const,
        promise,
        changes,
        needsConfirmation: confirmed.length === 0 && wantsConfirmation(promise, result, promise.openBreakId),
      }
    }

    await refreshHour(tx, promise.id, startedAt)

    // A late result (a retry that waited) is kept but does not rewind the state.
    if (promise.lastRunAt && startedAt < promise.lastRunAt) {
      return { status: 'recorded' as const, promise, counted: false, changes: [], needsConfirmation: false }
    }

    const step = nextBreakState(
      {
        state: promise.state,
        consecutiveBroken: promise.consecutiveBroken,
        consecutiveKept: promise.consecutiveKept,
        openBreakId: promise.openBreakId,
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

    await tx
      .update(promises)
      .set({
        state: next.state,
        consecutiveBroken: next.consecutiveBroken,
        consecutiveKept: next.consecutiveKept,
        openBreakId: next.openBreakId,
        lastRunId: result.runId,
        lastRunAt: startedAt,
      })
      .where(eq(promises.id, promise.id))

    return {
      status: 'recorded' as const,
      promise,
      counted: result.outcome !== 'error',
      changes,
      needsConfirmation: wantsConfirmation(promise, result, next.openBreakId),
    }
  })
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
      and(eq(runs.promiseId, promiseId), eq(runs.outcome, 'broken'), lte(runs.startedAt, new Date(result.startedAt))),
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
    })
    .onConflictDoNothing({ target: breaks.promiseId, where: sql`${breaks.resolvedAt} is null` })
    .returning({ id: breaks.id })
  if (inserted.length > 0) return { breakId, opened: true, at }
  // The promise row said no break was open, but one is: adopt it.
  const [open] = await db
    .select({ id: breaks.id, openedAt: breaks.openedAt })
    .from(breaks)
    .where(and(eq(breaks.promiseId, promiseId), isNull(breaks.resolvedAt)))
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
      changes.push({ type: 'break.opened', breakId: row.id, promiseId: row.promiseId, runId, at: row.openedAt.toISOString() })
    }
    if (row.resolvedByRunId === runId && row.resolvedAt) {
      changes.push({ type: 'break.resolved', breakId: row.id, promiseId: row.promiseId, runId, at: row.resolvedAt.toISOString() })
    }
  }
  return changes
}

function change(type: BreakChange['type'], breakId: string, result: RunResult, at: Date): BreakChange {
  return { type, breakId, promiseId: result.promiseId, runId: result.runId, at: at.toISOString() }
}
