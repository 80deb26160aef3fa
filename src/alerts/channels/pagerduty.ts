import { z } from 'zod'
import { explainFailure, type AlertMessage, type BreakFacts } from '../../domain/alert-message.ts'
import { postJson } from './http.ts'
import type { SendContext } from './types.ts'

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue'

export const pagerdutyConfigSchema = z.object({
  routingKey: z.string().trim().min(1, 'expected the integration (routing) key of an Events API v2 integration'),
  /** Only to point at another endpoint (an EU account, a proxy, a test receiver). */
  eventsUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
})

export type PagerdutyConfig = z.infer<typeof pagerdutyConfigSchema>

/**
 * PagerDuty Events API v2. The dedup key is the break id: an open
 * triggers, a reminder re-triggers the same alert, a resolve closes it.
 * A grouped message triggers one alert per break, so each resolves alone.
 */
export async function sendPagerduty(config: PagerdutyConfig, message: AlertMessage, ctx: SendContext): Promise<void> {
  const send = (event: Record<string, unknown>) =>
    postJson(config.eventsUrl ?? PAGERDUTY_EVENTS_URL, { routing_key: config.routingKey, ...event }, {}, ctx)

  if (message.kind === 'test') {
    const dedupKey = `kept-test:${ctx.deliveryId}`
    await send({ event_action: 'trigger', dedup_key: dedupKey, payload: payload(message.summary, 'info', ctx.now, {}) })
    await send({ event_action: 'resolve', dedup_key: dedupKey })
    return
  }
  for (const facts of message.breaks) {
    if (message.kind === 'resolve') {
      await send({ event_action: 'resolve', dedup_key: facts.break.id })
      continue
    }
    const summary =
      message.breaks.length === 1 ? message.summary : `“${facts.promise.title}” is broken: ${explainFailure(facts.run)}`
    await send({
      event_action: 'trigger',
      dedup_key: facts.break.id,
      payload: payload(summary, 'critical', facts.break.openedAt, details(facts, message)),
      links: linksOf(facts),
    })
  }
}

function payload(summary: string, severity: string, at: Date, customDetails: Record<string, string>) {
  return {
    summary: summary.length > 1024 ? `${summary.slice(0, 1023)}…` : summary,
    source: 'kept',
    severity,
    timestamp: at.toISOString(),
    component: 'promise',
    custom_details: customDetails,
  }
}

function details(facts: BreakFacts, message: AlertMessage): Record<string, string> {
  if (message.breaks.length === 1) return Object.fromEntries(message.fields.map((f) => [f.label, f.value]))
  return { promise: facts.promise.title, why: explainFailure(facts.run) }
}

function linksOf(facts: BreakFacts) {
  const links = [{ href: facts.links.promiseUrl, text: 'Promise' }]
  if (facts.links.runUrl) links.unshift({ href: facts.links.runUrl, text: 'Run' })
  if (facts.links.screenshotUrl) links.push({ href: facts.links.screenshotUrl, text: 'Screenshot' })
  return links
}
