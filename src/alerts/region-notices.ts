import { and, eq, sql } from 'drizzle-orm'
import { promises } from '../db/schema.ts'
import { namesRegions } from '../domain/region.ts'
import type { RedisClient } from '../infra/redis.ts'
import { keepInOutbox } from '../notify/outbox.ts'
import { liveRegions } from '../queue/regions.ts'
import type { AlertContext } from './context.ts'

// A region whose workers all stopped walks nothing: its promises are "not
// walked" there (never "kept"), and each tech owner hears of it once an
// outage, like claim drift (drift-notices.ts): on each alert tick, the
// regions with no live worker for longer than the grace are read from the
// heartbeats; a promise and region is claimed by a conditional write of
// promise_regions.not_walked_told_at before the mail goes (several
// processes tell once), un-claimed when the mail fails, and cleared by
// the recorder when a walk of that region comes again (src/recorder/record.ts).
// An install of one region is left to the overdue notice (services/overdue.ts),
// as before regions.

/** How long a region may go without a live worker before owners hear of it: a worker restarting is not news. */
export const NOT_WALKED_GRACE_MS = 2 * 60_000

/** `<prefix>:regions:absent`: since when each region has had no live worker, as seen by the ticks. */
const absentKey = (prefix: string) => `${prefix}:regions:absent`

export async function tellNotWalked(ctx: AlertContext, options: { graceMs?: number } = {}): Promise<number> {
  // The alerts queue's own connection: the heartbeats live under the same prefix.
  const redis = ctx.alertsQueue.opts.connection as RedisClient
  const prefix = ctx.alertsQueue.opts.prefix ?? 'kept'
  const now = ctx.now().getTime()
  const live = new Set(await liveRegions(redis, prefix, Date.now()))

  // The regions promises are walked from, and which of them have no worker since long enough.
  const used = (await ctx.db.execute(sql`select distinct jsonb_array_elements_text(${promises.regions}) as region from ${promises} where ${promises.paused} = false`)) as unknown
  const regions = (Array.isArray(used) ? used : (used as { rows: unknown[] }).rows) as { region: string }[]
  const absent: string[] = []
  for (const { region } of regions) {
    if (live.has(region)) {
      await redis.hdel(absentKey(prefix), region)
      continue
    }
    await redis.hsetnx(absentKey(prefix), region, String(now))
    const since = Number(await redis.hget(absentKey(prefix), region))
    if (now - since >= (options.graceMs ?? NOT_WALKED_GRACE_MS)) absent.push(region)
  }
  if (absent.length === 0) return 0

  const rows = await ctx.db
    .select({ id: promises.id, title: promises.title, owner: promises.techOwner, regions: promises.regions })
    .from(promises)
    .where(and(eq(promises.paused, false), sql`${promises.regions} ?| string_to_array(${absent.join(',')}, ',')`))
  // Each owner hears once a region, of all its promises not walked there.
  const byOwnerRegion = new Map<string, { owner: string; region: string; promises: { id: string; title: string }[] }>()
  for (const row of rows) {
    if (!namesRegions(row.regions)) continue
    for (const region of row.regions.filter((r) => absent.includes(r))) {
      const claimed = await ctx.db.execute(sql`
        insert into promise_regions (promise_id, region, not_walked_told_at) values (${row.id}, ${region}, ${new Date(now).toISOString()})
        on conflict (promise_id, region) do update set not_walked_told_at = excluded.not_walked_told_at
        where promise_regions.not_walked_told_at is null
        returning promise_id`)
      const won = (Array.isArray(claimed) ? claimed : (claimed as { rows: unknown[] }).rows).length > 0
      if (!won) continue // told already in this outage, or by another process
      const owner = row.owner?.trim()
      if (!owner) {
        ctx.logger?.warn({ promiseId: row.id, region }, 'promise not walked in a region, with no tech owner to tell')
        continue
      }
      const key = `${owner} ${region}`
      const entry = byOwnerRegion.get(key) ?? { owner, region, promises: [] }
      entry.promises.push({ id: row.id, title: row.title })
      byOwnerRegion.set(key, entry)
    }
  }

  let told = 0
  for (const { owner, region, promises: list } of byOwnerRegion.values()) {
    const mail = notWalkedMail(ctx.settings.baseUrl, region, list)
    try {
      if (ctx.mailer.configured) await ctx.mailer.transport.sendMail({ from: ctx.mailer.from, to: owner, subject: mail.subject, text: mail.text })
      else await keepInOutbox(ctx.db, { kind: 'region', to: [owner], subject: mail.subject, text: mail.text, promiseId: list[0]!.id, promiseTitle: list[0]!.title }, ctx.logger)
      told++
    } catch (error) {
      ctx.logger?.error({ err: error, to: owner, region }, 'not-walked email not sent: told again at the next tick')
      for (const p of list) {
        await ctx.db.execute(sql`update promise_regions set not_walked_told_at = null where promise_id = ${p.id} and region = ${region}`)
      }
    }
  }
  return told
}

/** The email: which region, which promises, what to do. */
export function notWalkedMail(baseUrl: string, region: string, list: { id: string; title: string }[]): { subject: string; text: string } {
  const subject =
    list.length === 1 ? `Kept: “${list[0]!.title}” is not walked in ${region} (no worker)` : `Kept: ${list.length} promises are not walked in ${region} (no worker)`
  return {
    subject,
    text: [
      `No journey worker of region ${region} is running, so Kept cannot tell whether these promises are kept there:`,
      '',
      ...list.map((p) => `- ${p.title}: ${baseUrl}/promises/${p.id}`),
      '',
      `Start one with \`kept worker --region ${region}\` (or KEPT_REGION=${region}), or take ${region} out of the promises' regions.`,
      'You hear of this once; the promises show "not walked" there until a worker runs again.',
    ].join('\n'),
  }
}
