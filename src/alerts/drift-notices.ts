import { and, eq, isNotNull, isNull, or, sql } from 'drizzle-orm'
import { promises } from '../db/schema.ts'
import { driftFigure, driftSentence, type ClaimDrift } from '../domain/claims/drift.ts'
import { keepInOutbox } from '../notify/outbox.ts'
import type { AlertContext } from './context.ts'

// The marketing owner hears of claim drift once when it starts and once
// when it clears, never on every walk: the recorder keeps the drift on the
// promise (claim_drift), this pass compares it with what was last told
// (claim_drift_told) on each alert tick. The told state is claimed by a
// conditional update before the mail goes, so several processes tell once;
// a mail that fails is un-claimed and told at the next tick.

type Told = { state: 'started' | 'cleared'; since: string }

export async function tellClaimDrift(ctx: AlertContext): Promise<number> {
  const rows = await ctx.db
    .select({ id: promises.id, title: promises.title, owner: promises.marketingOwner, drift: promises.claimDrift, told: promises.claimDriftTold })
    .from(promises)
    .where(
      or(
        and(
          isNotNull(promises.claimDrift),
          sql`(${promises.claimDriftTold} is null or ${promises.claimDriftTold}->>'state' <> 'started' or ${promises.claimDriftTold}->>'since' <> ${promises.claimDrift}->>'since')`,
        ),
        and(isNull(promises.claimDrift), sql`${promises.claimDriftTold}->>'state' = 'started'`),
      ),
    )
  let told = 0
  for (const row of rows) {
    const next: Told = row.drift ? { state: 'started', since: row.drift.since } : { state: 'cleared', since: row.told!.since }
    const claimed = await ctx.db
      .update(promises)
      .set({ claimDriftTold: next })
      .where(and(eq(promises.id, row.id), row.told ? sql`${promises.claimDriftTold} = ${JSON.stringify(row.told)}::jsonb` : isNull(promises.claimDriftTold)))
      .returning({ id: promises.id })
    if (claimed.length === 0) continue // another process tells it
    const owner = row.owner?.trim()
    if (!owner) {
      ctx.logger?.warn({ promiseId: row.id }, 'claim drift with no marketing owner to tell')
      continue
    }
    const mail = driftMail(ctx.settings.baseUrl, { id: row.id, title: row.title }, row.drift)
    try {
      if (ctx.mailer.configured) await ctx.mailer.transport.sendMail({ from: ctx.mailer.from, to: owner, subject: mail.subject, text: mail.text })
      else await keepInOutbox(ctx.db, { kind: 'claim', to: [owner], subject: mail.subject, text: mail.text, promiseId: row.id, promiseTitle: row.title }, ctx.logger)
      told++
    } catch (error) {
      ctx.logger?.error({ err: error, to: owner, promiseId: row.id }, 'claim drift email not sent: told again at the next tick')
      await ctx.db.update(promises).set({ claimDriftTold: row.told }).where(eq(promises.id, row.id))
    }
  }
  return told
}

/** The email: what the site says, what customers live, and what to do; or that it is mended. */
export function driftMail(baseUrl: string, promise: { id: string; title: string }, drift: ClaimDrift | null): { subject: string; text: string } {
  const link = `${baseUrl}/promises/${promise.id}`
  if (!drift) {
    return {
      subject: `Kept: the site's words and “${promise.title}” agree again`,
      text: [`What your site tells customers about “${promise.title}” matches what they live again.`, '', `The promise: ${link}`].join('\n'),
    }
  }
  return {
    subject: `Kept: your site promises ${driftFigure(drift.claimed)} for “${promise.title}”`,
    text: [
      driftSentence(drift),
      '',
      `Where the site says it: ${drift.pageUrl}`,
      `The promise: ${link}`,
      '',
      'Change the words on the site, or ask the tech team to make the journey match them.',
      'You hear of this once; Kept tells you again when it is mended.',
    ].join('\n'),
  }
}
