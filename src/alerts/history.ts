import { asc, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { alertDeliveries, channels, outbox, type DeliveryStatus } from '../db/schema.ts'
import { ownerLabel } from '../domain/alert-route.ts'

export type AlertHistoryKind = 'opened' | 'reminder' | 'resolved'
/** What a person is told of a delivery (docs/api.md): held alerts are still pending. */
export type AlertHistoryStatus = 'sent' | 'logged' | 'failed' | 'pending' | 'cancelled'

/** One delivery of a break's alert, as the API's `alerts` and the break page show it. */
export interface BreakAlert {
  id: string
  channelId: string | null
  /** Where it went, in words: the channel's name, or "tech owner tom@example.com". */
  channel: string
  channelType: string | null
  kind: AlertHistoryKind
  status: AlertHistoryStatus
  /** When it was sent, else when it was last tried or created. */
  at: Date
  attempts: number
  error: string | null
  /** The outbox entry of an email kept unsent (status logged). */
  outboxId: string | null
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
    .select({
      row: alertDeliveries,
      channelName: channels.name,
      channelType: channels.type,
      outboxId: outbox.id,
    })
    .from(alertDeliveries)
    .leftJoin(channels, eq(channels.id, alertDeliveries.channelId))
    .leftJoin(outbox, eq(outbox.deliveryKey, alertDeliveries.idempotencyKey))
    .where(inArray(alertDeliveries.breakId, breakIds))
    .orderBy(asc(alertDeliveries.createdAt), asc(alertDeliveries.id))
  for (const { row, channelName, channelType, outboxId } of rows) {
    const kind = kinds[row.kind]
    if (!kind || !row.breakId) continue
    const channel =
      channelName ??
      (row.recipient
        ? (row.channelLabel ?? ownerLabel(row.recipient))
        : row.channelLabel
          ? `${row.channelLabel} (channel deleted since)`
          : 'a deleted channel')
    out.get(row.breakId)?.push({
      id: row.id,
      channelId: row.channelId,
      channel,
      channelType: channelType ?? (row.recipient ? 'email' : null),
      kind,
      status: statusOf(row.status),
      at: row.sentAt ?? row.sendingAt ?? row.createdAt,
      attempts: row.attempts,
      error: row.status === 'held' ? HELD : row.lastError,
      outboxId: outboxId ?? null,
    })
  }
  return out
}
