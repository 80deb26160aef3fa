import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChannelError, sendToChannel } from '../../src/alerts/channels/index.ts'
import type { ChannelType } from '../../src/db/schema.ts'
import { buildAlertMessage } from '../../src/domain/alert-message.ts'
import { parseAllowedTargets } from '../../src/domain/target-policy.ts'

// Every HTTP channel type against the addresses a channel URL must never
// reach: cloud metadata, private ranges, Kept's own services on loopback,
// and a redirect towards a private address. The receiver's own words never
// come back. (Journeys: test/integration/runner-safety.test.ts.)

const TYPES: ChannelType[] = ['webhook', 'slack', 'teams', 'pagerduty']
const configFor = (type: ChannelType, url: string): unknown =>
  type === 'webhook'
    ? { url, secret: 'a-shared-secret-of-16+' }
    : type === 'pagerduty'
      ? { routingKey: 'R0UTING', eventsUrl: url }
      : { webhookUrl: url }
const message = buildAlertMessage({ kind: 'test', channelName: 'SSRF', appUrl: 'http://kept.test' }, { now: new Date(), timezone: 'UTC' })

describe('alert channel URLs obey the target policy', () => {
  let receiver: http.Server
  let port: number
  const hits: string[] = []
  const figures: Record<string, { refused: number; reached: number }> = {}

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      hits.push(req.url ?? '')
      if (req.url === '/redirect') return void res.writeHead(302, { location: 'http://10.255.255.1/admin' }).end()
      if (req.url === '/fails') return void res.writeHead(500, { 'content-type': 'text/plain' }).end('SECRET-BODY redis password hunter2')
      res.writeHead(200).end('ok')
    })
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    port = (receiver.address() as AddressInfo).port
  })
  afterAll(async () => {
    console.log(
      `SSRF matrix (channels): ${Object.entries(figures)
        .map(([type, f]) => `${type} ${f.refused} refused / ${f.reached} reached`)
        .join(', ')}`,
    )
    await new Promise((resolve) => receiver.close(resolve))
  })

  const send = async (type: ChannelType, url: string, policy = parseAllowedTargets('')) => {
    const row = (figures[type] ??= { refused: 0, reached: 0 })
    try {
      await sendToChannel(type, configFor(type, url), message, { deliveryId: 'd1', now: new Date(), targetPolicy: policy, timeoutMs: 2000 })
      row.reached++
      return null
    } catch (error) {
      row.refused++
      expect(error).toBeInstanceOf(ChannelError)
      return (error as ChannelError).message
    }
  }

  for (const type of TYPES) {
    it(`${type}: metadata, link-local, private and Kept's own services are refused before any connection`, async () => {
      const own = parseAllowedTargets('', [{ label: "Kept's Redis", host: '127.0.0.1', port, addresses: ['127.0.0.1'] }])
      const before = hits.length
      expect(await send(type, 'http://169.254.169.254/latest/meta-data/')).toMatch(/^blocked: 169\.254\.169\.254 is a cloud metadata address/)
      expect(await send(type, 'http://metadata.google.internal/')).toMatch(/^blocked: metadata\.google\.internal is a cloud metadata service/)
      expect(await send(type, 'http://169.254.10.10/')).toMatch(/link-local/)
      expect(await send(type, 'http://10.0.0.1/hook')).toMatch(/^blocked: 10\.0\.0\.1 is a private address; an operator can allow it in KEPT_ALLOWED_TARGETS$/)
      expect(await send(type, 'http://[fd00::1]/hook')).toMatch(/private address/)
      expect(await send(type, `http://127.0.0.1:${port}/ok`, own)).toMatch(/is Kept's Redis, Kept's own service/)
      expect(await send(type, `http://localhost:${port}/ok`, own)).toMatch(/is Kept's Redis, Kept's own service/)
      expect(hits.length).toBe(before)
      // Named with its port, it is let through.
      expect(await send(type, `http://127.0.0.1:${port}/ok`, parseAllowedTargets(`127.0.0.1:${port}`, own.ownServices))).toBeNull()
    })

    it(`${type}: a redirect is not followed, and a failing receiver's own text never comes back`, async () => {
      const before = hits.length
      expect(await send(type, `http://127.0.0.1:${port}/redirect`)).toMatch(/^HTTP 302 from 127\.0\.0\.1:\d+: a redirect, not followed/)
      expect(hits.length).toBe(before + 1)
      const failed = await send(type, `http://127.0.0.1:${port}/fails`)
      expect(failed).toBe(`HTTP 500 from 127.0.0.1:${port} (Internal Server Error)`)
      expect(failed).not.toContain('SECRET')
    })
  }
})
