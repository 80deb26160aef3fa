import { createHmac } from 'node:crypto'
import { z } from 'zod'
import { failingStep, type AlertMessage, type BreakFacts } from '../../domain/alert-message.ts'
import { postBody } from './http.ts'
import type { SendContext } from './types.ts'

export const webhookConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  secret: z.string().min(16, 'expected a shared secret of at least 16 characters'),
})

export type WebhookConfig = z.infer<typeof webhookConfigSchema>

/**
 * A signed JSON POST. The receiver checks X-Kept-Signature, an HMAC-SHA256
 * of "<X-Kept-Timestamp>.<raw body>" with the channel secret (recipe in
 * docs/alerts.md), and may drop repeats by X-Kept-Delivery (also sent as
 * Idempotency-Key): the same alert always has the same value.
 */
export async function sendWebhook(config: WebhookConfig, message: AlertMessage, ctx: SendContext): Promise<void> {
  const body = JSON.stringify(webhookBody(message))
  const timestamp = String(Math.floor(ctx.now.getTime() / 1000))
  await postBody(
    config.url,
    body,
    {
      'X-Kept-Event': message.event,
      'X-Kept-Delivery': ctx.deliveryId,
      'Idempotency-Key': ctx.deliveryId,
      'X-Kept-Timestamp': timestamp,
      'X-Kept-Signature': signWebhook(config.secret, timestamp, body),
    },
    ctx,
  )
}

export function signWebhook(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`
}

/**
 * One break: {event, promise, break, run, links, message}.
 * Grouped: {event, breaks: [{promise, break, run, links}], message}.
 * Test: {event, message}.
 */
export function webhookBody(message: AlertMessage) {
  const summary = { subject: message.subject, summary: message.summary, text: message.text }
  if (message.kind === 'test') return { event: message.event, message: summary }
  const items = message.breaks.map(describeBreak)
  if (message.kind === 'grouped') return { event: message.event, breaks: items, message: summary }
  return { event: message.event, ...items[0], message: summary }
}

function describeBreak(facts: BreakFacts) {
  return {
    promise: { ...facts.promise, lastKeptRunAt: facts.lastKeptRunAt },
    // A break belongs to a region: named when the install has several (else absent, as before regions).
    break: facts.where ? { ...facts.break, region: facts.where.region, regions: facts.where.verdicts } : facts.break,
    run: facts.run && { ...facts.run, failingStep: failingStep(facts.run) },
    links: facts.links,
  }
}
