import { and, eq, isNull, type SQL } from 'drizzle-orm'
import { alertDeliveries } from '../db/schema.ts'

/** Deliveries to the same place as `row`: its channel, or (no channel) its owner's address. */
export function sameTarget(row: { channelId: string | null; recipient: string | null }): SQL {
  if (row.channelId) return eq(alertDeliveries.channelId, row.channelId)
  return and(isNull(alertDeliveries.channelId), eq(alertDeliveries.recipient, row.recipient ?? ''))!
}
