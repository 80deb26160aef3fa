import type { ChannelType } from '../db/schema.ts'
import { decrypt, encrypt } from '../infra/crypto.ts'
import { channelConfigSchemas, ChannelError, type ChannelConfig } from './channels/index.ts'

// A channel's config (URLs, keys, secrets) is stored encrypted as a whole;
// only configPublic, made here, is ever shown.

export function encryptChannelConfig(secretKey: Buffer, config: ChannelConfig): string {
  return encrypt(secretKey, JSON.stringify(config))
}

/** The stored config, decrypted and checked; a ChannelError says what is wrong. */
export function readChannelConfig(secretKey: Buffer, type: ChannelType, configEncrypted: string): ChannelConfig {
  let raw: unknown
  try {
    raw = JSON.parse(decrypt(secretKey, configEncrypted))
  } catch (error) {
    throw new ChannelError(`the channel's settings cannot be read: ${(error as Error).message}`)
  }
  const schema = channelConfigSchemas[type]
  if (!schema) throw new ChannelError(`unknown channel type "${type}"`)
  const parsed = schema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ChannelError(`invalid ${type} config: ${issue?.path.join('.') || 'config'}: ${issue?.message ?? 'invalid'}`)
  }
  return parsed.data
}

/** What the API and pages may show of a config: never a secret, a key or a full webhook URL. */
export function publicChannelConfig(type: ChannelType, config: ChannelConfig): Record<string, string> {
  const c = config as Record<string, unknown>
  switch (type) {
    case 'email':
      return { to: ([] as string[]).concat(c.to as string | string[]).join(', ') }
    case 'slack':
    case 'teams':
      return { host: hostOf(c.webhookUrl) }
    case 'webhook':
      return { url: originAndPath(c.url), secret: 'set' }
    case 'pagerduty':
      return { routingKey: `…${String(c.routingKey).slice(-4)}`, host: hostOf(c.eventsUrl ?? 'https://events.pagerduty.com') }
  }
}

function hostOf(url: unknown): string {
  try {
    return new URL(String(url)).host
  } catch {
    return ''
  }
}

// A generic webhook's URL is the receiver's own: show it without a query (tokens live there).
function originAndPath(url: unknown): string {
  try {
    const u = new URL(String(url))
    return `${u.origin}${u.pathname}`
  } catch {
    return ''
  }
}
