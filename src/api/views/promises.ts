import { and, inArray, isNull } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { breaks, promiseChannels, promises, runs } from '../../db/schema.ts'
import type { PromiseJson } from '../schemas/promise.ts'
import { iso } from '../router.ts'

export type PromiseRow = typeof promises.$inferSelect

/** Promise rows as the API shows them, with channels, last run and open break loaded in three queries. */
export async function promiseViews(db: Db, rows: PromiseRow[]): Promise<PromiseJson[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const lastRunIds = rows.map((r) => r.lastRunId).filter((id): id is string => id !== null)
  const [links, lastRuns, openBreaks] = await Promise.all([
    db.select().from(promiseChannels).where(inArray(promiseChannels.promiseId, ids)),
    lastRunIds.length === 0
      ? []
      : db
          .select({ id: runs.id, outcome: runs.outcome, startedAt: runs.startedAt, durationMs: runs.durationMs, clicks: runs.clicks })
          .from(runs)
          .where(inArray(runs.id, lastRunIds)),
    db
      .select()
      .from(breaks)
      .where(and(inArray(breaks.promiseId, ids), isNull(breaks.resolvedAt))),
  ])
  const channelsOf = new Map<string, string[]>()
  for (const link of links) channelsOf.set(link.promiseId, [...(channelsOf.get(link.promiseId) ?? []), link.channelId])
  const runById = new Map(lastRuns.map((r) => [r.id, r]))
  const breakOf = new Map(openBreaks.map((b) => [b.promiseId, b]))

  return rows.map((row) => {
    const lastRun = row.lastRunId ? runById.get(row.lastRunId) : undefined
    const open = breakOf.get(row.id)
    return {
      id: row.id,
      title: row.title,
      description: row.description,
      source: row.source,
      checkFile: row.checkFile,
      journey: row.journey,
      budgets: row.budgets,
      schedule:
        row.scheduleEverySeconds != null
          ? { everySeconds: row.scheduleEverySeconds }
          : row.scheduleCron
            ? { cron: row.scheduleCron, timezone: row.scheduleTimezone }
            : null,
      dailyCustomers: row.dailyCustomers,
      detractorRate: row.detractorRate,
      device: row.device,
      marketingOwner: row.marketingOwner,
      techOwner: row.techOwner,
      channels: (channelsOf.get(row.id) ?? []).sort(),
      paused: row.paused,
      breakAfter: row.breakAfter,
      resolveAfter: row.resolveAfter,
      confirmBroken: row.confirmBroken,
      state: row.paused ? 'paused' : row.state,
      lastRunAt: iso(row.lastRunAt),
      lastRun: lastRun ? { ...lastRun, startedAt: lastRun.startedAt.toISOString() } : null,
      openBreak: open
        ? { id: open.id, openedAt: open.openedAt.toISOString(), acknowledgedAt: iso(open.acknowledgedAt), acknowledgedBy: open.acknowledgedBy }
        : null,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    }
  })
}
