import { eq } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { channels, promiseChannels, promises } from '../db/schema.ts'
import { chooseRoute, type AlertRoute } from '../domain/alert-route.ts'

/** Where the promise's alerts go now (src/domain/alert-route.ts); nowhere for a promise that is gone. */
export async function routeAlert(db: Pick<Db, 'select'>, promiseId: string): Promise<AlertRoute> {
  const [named, defaults, owner] = await Promise.all([
    db.select({ id: promiseChannels.channelId }).from(promiseChannels).where(eq(promiseChannels.promiseId, promiseId)),
    db.select({ id: channels.id }).from(channels).where(eq(channels.isDefault, true)),
    db.select({ techOwner: promises.techOwner }).from(promises).where(eq(promises.id, promiseId)),
  ])
  if (owner.length === 0) return { via: 'nowhere' }
  return chooseRoute({
    named: named.map((row) => row.id),
    defaults: defaults.map((row) => row.id),
    techOwner: owner[0]!.techOwner,
  })
}
