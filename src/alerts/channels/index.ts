import type { z } from 'zod'
import type { ChannelType } from '../../db/schema.ts'
import type { AlertMessage } from '../../domain/alert-message.ts'
import { emailConfigSchema, sendEmail } from './email.ts'
import { pagerdutyConfigSchema, sendPagerduty } from './pagerduty.ts'
import { sendSlack, slackConfigSchema } from './slack.ts'
import { sendTeams, teamsConfigSchema } from './teams.ts'
import { ChannelError, type SendContext, type SendOutcome } from './types.ts'
import { sendWebhook, webhookConfigSchema } from './webhook.ts'

export { ChannelError, type Mailer, type SendContext, type SendOutcome } from './types.ts'

/** Config schemas by channel type (the API validates POST /channels with these). */
export const channelConfigSchemas = {
  email: emailConfigSchema,
  slack: slackConfigSchema,
  teams: teamsConfigSchema,
  webhook: webhookConfigSchema,
  pagerduty: pagerdutyConfigSchema,
} satisfies Record<ChannelType, z.ZodType>

export type ChannelConfig<T extends ChannelType = ChannelType> = z.infer<(typeof channelConfigSchemas)[T]>

/**
 * Whether a receiver can drop a repeat of the same alert by its key
 * (docs/alerts.md): webhooks get X-Kept-Delivery / Idempotency-Key,
 * PagerDuty the break id as dedup_key, email the same Message-ID. Slack and
 * Teams incoming webhooks take no key: a repeat shows twice.
 */
export const DEDUPES_BY_KEY: Record<ChannelType, boolean> = { webhook: true, pagerduty: true, email: true, slack: false, teams: false }

const senders: { [T in ChannelType]: (config: ChannelConfig<T>, message: AlertMessage, ctx: SendContext) => Promise<SendOutcome | void> } = {
  email: sendEmail,
  slack: sendSlack,
  teams: sendTeams,
  webhook: sendWebhook,
  pagerduty: sendPagerduty,
}

/** Validate a stored config and send; a bad config is a ChannelError naming the field. */
export async function sendToChannel(
  type: ChannelType,
  rawConfig: unknown,
  message: AlertMessage,
  ctx: SendContext,
): Promise<SendOutcome> {
  const schema = channelConfigSchemas[type]
  if (!schema) throw new ChannelError(`unknown channel type "${type}"`)
  const parsed = schema.safeParse(rawConfig)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ChannelError(`invalid ${type} config: ${issue?.path.join('.') || 'config'}: ${issue?.message ?? 'invalid'}`)
  }
  const send = senders[type] as (config: unknown, message: AlertMessage, ctx: SendContext) => Promise<SendOutcome | void>
  return (await send(parsed.data, message, ctx)) ?? 'sent'
}
