import { eq } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { channels, promiseChannels } from '../db/schema.ts'

/**
 * The channels that hear about a promise: the ones it names, else the
 * default route (every channel marked isDefault). Ordered by id, so the
 * per-channel work always takes locks in the same order.
 */
export async function routeChannels(db: Db, promiseId: string): Promise<string[]> {
  const named = await db
    .select({ id: promiseChannels.channelId })
    .from(promiseChannels)
    .where(eq(promiseChannels.promiseId, promiseId))
  const rows = named.length
    ? named
    : await db.select({ id: channels.id }).from(channels).where(eq(channels.isDefault, true))
  return rows.map((row) => row.id).sort()
}
