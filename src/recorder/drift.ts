import { sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { judgeDrift, type ClaimDrift } from '../domain/claims/drift.ts'
import type { RunResult } from '../domain/run.ts'
import type { PromiseRow } from '../queue/spec.ts'

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/**
 * After a batch of runs: each promise's claim drift judged from its latest
 * new run (src/domain/claims/drift.ts), and the promises whose drift
 * changed updated in one statement, in the batch's transaction. Telling
 * the marketing owner is not done here: src/services/drift-notices.ts
 * reads the state and tells once (a crash between the two loses nothing).
 */
export async function applyDrift(tx: Tx, promises: ReadonlyMap<string, PromiseRow>, newRuns: RunResult[], now = new Date()): Promise<void> {
  const latest = new Map<string, RunResult>()
  for (const run of newRuns) {
    const seen = latest.get(run.promiseId)
    if (!seen || Date.parse(run.startedAt) >= Date.parse(seen.startedAt)) latest.set(run.promiseId, run)
  }
  const changed: { id: string; drift: ClaimDrift | null }[] = []
  for (const [promiseId, run] of latest) {
    const promise = promises.get(promiseId)
    // A late result (older than the promise's last run) does not rewind what the site says.
    if (!promise || (promise.lastRunAt && Date.parse(run.startedAt) < promise.lastRunAt.getTime() && promise.lastRunId !== run.runId)) continue
    const drift = judgeDrift({ walk: run, budgets: promise.budgets, previous: promise.claimDrift ?? null, now })
    if (JSON.stringify(drift) !== JSON.stringify(promise.claimDrift ?? null)) changed.push({ id: promiseId, drift })
  }
  if (changed.length === 0) return
  await tx.execute(sql`
    update promises set claim_drift = v.drift
    from jsonb_to_recordset(${JSON.stringify(changed)}::jsonb) as v (id uuid, drift jsonb)
    where promises.id = v.id`)
}
