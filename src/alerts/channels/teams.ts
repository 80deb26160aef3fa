import { z } from 'zod'
import type { AlertMessage } from '../../domain/alert-message.ts'
import { postJson } from './http.ts'
import type { SendContext } from './types.ts'

export const teamsConfigSchema = z.object({
  webhookUrl: z.url({ protocol: /^https?$/, error: 'expected the Teams webhook URL (a Workflows or incoming webhook)' }),
})

export type TeamsConfig = z.infer<typeof teamsConfigSchema>

/**
 * An Adaptive Card in a message envelope: the format both Teams Workflows
 * webhooks and the older incoming-webhook connectors accept.
 */
export async function sendTeams(config: TeamsConfig, message: AlertMessage, ctx: SendContext): Promise<void> {
  await postJson(config.webhookUrl, teamsPayload(message), {}, ctx)
}

export function teamsPayload(message: AlertMessage) {
  const body: unknown[] = [
    {
      type: 'TextBlock',
      text: message.subject,
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
      color: message.kind === 'resolve' || message.kind === 'test' ? 'Good' : 'Attention',
    },
    { type: 'TextBlock', text: message.lead, wrap: true },
  ]
  if (message.fields.length) {
    body.push({ type: 'FactSet', facts: message.fields.map((f) => ({ title: f.label, value: f.value })) })
  }
  return {
    type: 'message',
    summary: message.summary,
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: message.links.map((link) => ({ type: 'Action.OpenUrl', title: link.label, url: link.url })),
        },
      },
    ],
  }
}
