import { z } from 'zod'
import type { AlertMessage } from '../../domain/alert-message.ts'
import { postJson } from './http.ts'
import type { SendContext } from './types.ts'

export const slackConfigSchema = z.object({
  webhookUrl: z.url({ protocol: /^https?$/, error: 'expected the incoming webhook URL (https://hooks.slack.com/services/…)' }),
})

export type SlackConfig = z.infer<typeof slackConfigSchema>

/**
 * Slack incoming webhook with Block Kit. Incoming webhooks cannot upload
 * files, so the screenshot travels as a link button.
 */
export async function sendSlack(config: SlackConfig, message: AlertMessage, ctx: SendContext): Promise<void> {
  await postJson(config.webhookUrl, slackPayload(message), {}, ctx)
}

export function slackPayload(message: AlertMessage) {
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(message.subject, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: cut(escape(message.lead), 3000) } },
  ]
  // A section holds at most 10 fields of 2,000 characters.
  for (let i = 0; i < message.fields.length && blocks.length < 45; i += 10) {
    blocks.push({
      type: 'section',
      fields: message.fields.slice(i, i + 10).map((field) => ({
        type: 'mrkdwn',
        text: cut(`*${escape(field.label)}*\n${escape(field.value)}`, 2000),
      })),
    })
  }
  if (message.links.length) {
    blocks.push({
      type: 'actions',
      elements: message.links.slice(0, 25).map((link, i) => ({
        type: 'button',
        text: { type: 'plain_text', text: cut(link.label, 75) },
        url: link.url,
        action_id: `kept-link-${i}`,
      })),
    })
  }
  // `text` is the notification preview and the fallback for old clients.
  return { text: escape(message.summary), blocks }
}

// Slack's mrkdwn needs only these three escaped.
function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
