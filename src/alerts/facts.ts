import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm'
import { DEFAULT_REGION, namesRegions, regionSummary, regionVerdicts } from '../domain/region.ts'
import type { Db } from '../db/client.ts'
import { breaks, promiseRegions, promises, runs } from '../db/schema.ts'
import type { BreakFacts } from '../domain/alert-message.ts'
import { alertLinks } from './links.ts'
import { fsEvidenceStore } from '../evidence/fs-store.ts'
import { readEvidence, type EvidenceStore } from '../evidence/store.ts'

export interface LoadedFacts {
  facts: BreakFacts
  /** Reads the opening run's screenshot from the evidence store (null: none, or pruned since). */
  screenshot: (() => Promise<Buffer | null>) | null
}

/** What an alert says about one break, read from the database; null if the break is gone. */
export async function loadBreakFacts(
  db: Db,
  breakId: string,
  where: { baseUrl: string; dataDir: string; evidence?: EvidenceStore },
): Promise<LoadedFacts | null> {
  const [row] = await db
    .select({ brk: breaks, promise: promises })
    .from(breaks)
    .innerJoin(promises, eq(promises.id, breaks.promiseId))
    .where(eq(breaks.id, breakId))
  if (!row) return null
  const { brk, promise } = row
  const [run] = await db.select().from(runs).where(eq(runs.id, brk.openedByRunId))
  const region = namesRegions(promise.regions) ? { region: brk.region, verdicts: await regionVerdictWords(db, promise.id, promise.regions) } : null
  const [lastKept] = await db
    .select({ startedAt: runs.startedAt })
    .from(runs)
    .where(
      and(
        eq(runs.promiseId, promise.id),
        inArray(runs.outcome, ['kept', 'at_risk']),
        lt(runs.startedAt, brk.openedAt),
        sql`coalesce(${runs.region}, ${DEFAULT_REGION}) = ${brk.region}`,
      ),
    )
    .orderBy(desc(runs.startedAt))
    .limit(1)
  const store = where.evidence ?? fsEvidenceStore(where.dataDir)
  const key = run?.screenshotPath ?? null
  const screenshot = key ? () => readEvidence(store, key) : null
  return {
    facts: {
      promise: { id: promise.id, title: promise.title, techOwner: promise.techOwner, marketingOwner: promise.marketingOwner },
      break: { id: brk.id, openedAt: brk.openedAt, resolvedAt: brk.resolvedAt },
      run: run
        ? { id: run.id, startedAt: run.startedAt, steps: run.steps, failure: run.failure ?? brk.failure, failures: run.failures }
        : null,
      lastKeptRunAt: lastKept?.startedAt ?? null,
      where: region,
      links: alertLinks(where.baseUrl, {
        promiseId: promise.id,
        breakId: brk.id,
        runId: run?.id ?? null,
        hasScreenshot: Boolean(run?.screenshotPath),
        hasTrace: Boolean(run?.tracePath),
      }),
    },
    screenshot,
  }
}

/** Every region's verdict as stored now, in words: "broken in eu, kept in us". */
async function regionVerdictWords(db: Db, promiseId: string, regions: string[]): Promise<string> {
  const rows = await db.select().from(promiseRegions).where(eq(promiseRegions.promiseId, promiseId))
  return regionSummary(regionVerdicts(regions, rows))
}

