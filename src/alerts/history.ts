import { asc, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { alertDeliveries, channels, type DeliveryStatus } from '../db/schema.ts'
import { targetWords } from './targets.ts'

export type AlertHistoryKind = 'opened' | 'reminder' | 'resolved'
/** What a person is told of a delivery (docs/api.md): held alerts are still pending. */
export type AlertHistoryStatus = 'sent' | 'logged' | 'failed' | 'pending' | 'cancelled'

/** One delivery of a break's alert, as the API's `alerts` and the break page show it. */
export interface BreakAlert {
  id: string
  channelId: string | null
  /** Where it went, in words: the channel's name, or "tech owner tom@example.com". */
  channel: string
  kind: AlertHistoryKind
  status: AlertHistoryStatus
  /** When it was sent, else when it was last tried or created. */
  at: Date
  attempts: number
  error: string | null
}

const kinds: Partial<Record<string, AlertHistoryKind>> = { open: 'opened', resolve: 'resolved', reminder: 'reminder' }

const HELD = 'held until the maintenance window ends'

function statusOf(status: DeliveryStatus): AlertHistoryStatus {
  return status === 'held' ? 'pending' : status
}

/** Every delivery of these breaks, oldest first, keyed by break id. */
export async function breakAlerts(db: Db, breakIds: string[]): Promise<Map<string, BreakAlert[]>> {
  const out = new Map<string, BreakAlert[]>(breakIds.map((id) => [id, []]))
  if (breakIds.length === 0) return out
  const rows = await db
    .select({ row: alertDeliveries, channelName: channels.name })
    .from(alertDeliveries)
    .leftJoin(channels, eq(channels.id, alertDeliveries.channelId))
    .where(inArray(alertDeliveries.breakId, breakIds))
    .orderBy(asc(alertDeliveries.createdAt), asc(alertDeliveries.id))
  for (const { row, channelName } of rows) {
    const kind = kinds[row.kind]
    if (!kind || !row.breakId) continue
    out.get(row.breakId)?.push({
      id: row.id,
      channelId: row.channelId,
      channel: targetWords(row, channelName),
      kind,
      status: statusOf(row.status),
      at: row.sentAt ?? row.sendingAt ?? row.createdAt,
      attempts: row.attempts,
      error: row.status === 'held' ? HELD : row.lastError,
    })
  }
  return out
}
