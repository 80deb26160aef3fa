import { and, eq, isNull, type SQL } from 'drizzle-orm'
import { alertDeliveries } from '../db/schema.ts'
import { OWNER_TARGET, ownerLabel } from '../domain/alert-route.ts'

// Where a delivery goes: its channel, or (no channel) its tech owner's
// address. A row with neither lost its channel to a delete: it keeps the
// channel's name as its label, and nothing more is sent there.

export interface DeliveryTarget {
  channelId: string | null
  recipient: string | null
  channelLabel: string | null
}

/** The columns that say where a delivery went, for a follow-up (resolve, reminder) to go there too. */
export const TARGET_COLUMNS = {
  channelId: alertDeliveries.channelId,
  recipient: alertDeliveries.recipient,
  channelLabel: alertDeliveries.channelLabel,
}

/** Still somewhere to send: a channel that exists, or an owner's address. */
export function isReachable(target: DeliveryTarget): boolean {
  return target.channelId !== null || target.recipient !== null
}

/** The third part of its delivery key (see keys.ts). */
export function targetKeyPart(target: DeliveryTarget): string {
  return target.channelId ?? OWNER_TARGET
}

/** Deliveries to the same place as `row`: its channel, or (no channel) its owner's address. */
export function sameTarget(row: Pick<DeliveryTarget, 'channelId' | 'recipient'>): SQL {
  if (row.channelId) return eq(alertDeliveries.channelId, row.channelId)
  return and(isNull(alertDeliveries.channelId), eq(alertDeliveries.recipient, row.recipient ?? ''))!
}

/** Where it went, in words: the channel's current name, the owner, or the deleted channel's old name. */
export function targetWords(target: DeliveryTarget, channelName: string | null): string {
  if (channelName) return channelName
  if (target.recipient) return target.channelLabel ?? ownerLabel(target.recipient)
  return target.channelLabel ? `${target.channelLabel} (channel deleted since)` : 'a deleted channel'
}
