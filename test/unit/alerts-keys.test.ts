import { randomBytes, randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { encryptChannelConfig, publicChannelConfig, readChannelConfig } from '../../src/alerts/channel-config.ts'
import { ChannelError } from '../../src/alerts/channels/index.ts'
import { messageIdOf } from '../../src/alerts/channels/email.ts'
import { deliveryKey, flushJobId, groupKey, reminderNumber } from '../../src/alerts/keys.ts'

const breakId = randomUUID()
const channelId = randomUUID()

describe('delivery keys', () => {
  it('names an alert by break, kind and channel', () => {
    expect(deliveryKey(breakId, 'open', channelId)).toBe(`${breakId}:open:${channelId}`)
    expect(deliveryKey(breakId, 'resolve', channelId)).toBe(`${breakId}:resolve:${channelId}`)
    expect(deliveryKey(breakId, 'reminder', channelId, 3)).toBe(`${breakId}:reminder-3:${channelId}`)
  })

  it('keeps every job id at the three parts BullMQ accepts with a colon', () => {
    for (const id of [
      deliveryKey(breakId, 'open', channelId),
      deliveryKey(breakId, 'reminder', channelId, 12),
      groupKey(channelId, randomUUID()),
      flushJobId(channelId, randomUUID()),
    ]) {
      expect(id.split(':')).toHaveLength(3)
    }
  })

  it('reads the reminder number back, and nothing from other kinds', () => {
    expect(reminderNumber(deliveryKey(breakId, 'reminder', channelId, 12))).toBe(12)
    expect(reminderNumber(deliveryKey(breakId, 'open', channelId))).toBeNull()
  })

  it('makes a valid, stable Message-ID of a key', () => {
    const id = messageIdOf(deliveryKey(breakId, 'open', channelId))
    expect(id).toBe(`<${breakId}.open.${channelId}@kept>`)
    expect(id).toMatch(/^<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@kept>$/)
  })
})

describe('channel configs', () => {
  const key = randomBytes(32)

  it('reads back what was encrypted, and never stores it in the clear', () => {
    const config = { url: 'https://hooks.example.com/kept?token=abc', secret: 'sixteen-chars-secret' }
    const stored = encryptChannelConfig(key, config)
    expect(stored).not.toContain('sixteen-chars-secret')
    expect(readChannelConfig(key, 'webhook', stored)).toEqual(config)
  })

  it('says what is wrong with a config it cannot use', () => {
    expect(() => readChannelConfig(randomBytes(32), 'webhook', encryptChannelConfig(key, { url: 'https://x.example', secret: 'sixteen-chars-secret' }))).toThrow(
      /settings cannot be read: cannot decrypt/,
    )
    const bad = encryptChannelConfig(key, { url: 'https://x.example', secret: 'short' } as never)
    expect(() => readChannelConfig(key, 'webhook', bad)).toThrow(ChannelError)
    expect(() => readChannelConfig(key, 'webhook', bad)).toThrow('invalid webhook config: secret: expected a shared secret of at least 16 characters')
  })

  it('shows only harmless parts of a config', () => {
    expect(publicChannelConfig('email', { to: ['a@example.com', 'b@example.com'] })).toEqual({ to: 'a@example.com, b@example.com' })
    expect(publicChannelConfig('slack', { webhookUrl: 'https://hooks.slack.com/services/T0/B0/XYZ' })).toEqual({ host: 'hooks.slack.com' })
    expect(publicChannelConfig('webhook', { url: 'https://hooks.example.com/kept?token=abc', secret: 'sixteen-chars-secret' })).toEqual({
      url: 'https://hooks.example.com/kept',
      secret: 'set',
    })
    const pd = publicChannelConfig('pagerduty', { routingKey: 'abcdef0123456789' })
    expect(pd).toEqual({ routingKey: '…6789', host: 'events.pagerduty.com' })
  })
})
