import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Queue } from 'bullmq'
import { eq } from 'drizzle-orm'
import { Hono } from 'hono'
import type { Redis } from 'ioredis'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keptApp } from '../e2e/ui-fixtures.ts'
import { startAlerts, type Alerts } from '../../src/alerts/alerts.ts'
import { encryptChannelConfig } from '../../src/alerts/channel-config.ts'
import type { Mailer } from '../../src/alerts/channels/index.ts'
import { createApiToken } from '../../src/auth/tokens.ts'
import { alertDeliveries, breaks, channels, outbox, promiseChannels, promises, runs } from '../../src/db/schema.ts'
import { closeServer } from '../../src/infra/close-server.ts'
import { createRedisConnection } from '../../src/infra/redis.ts'
import { QUEUES } from '../../src/queue/jobs.ts'
import { ALERT_JOB_OPTIONS } from '../../src/queue/options.ts'
import { alertJobId, type AlertEvent } from '../../src/recorder/recorder.ts'
import { testAlertSettings } from '../support/alert-settings.ts'
import { freshDatabase, uniquePrefix } from '../support/db.ts'
import { dropPrefix } from '../support/redis.ts'
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp.ts'
import { until } from '../support/wait.ts'

// Where a break's alerts go: the promise's channels, else the default
// channels, else its tech owner by email; and with no SMTP_URL, email
// goes to the outbox. Against real Postgres, Redis, an SMTP server and an
// HTTP receiver.

interface Pipeline {
  db: Awaited<ReturnType<typeof freshDatabase>>
  alerts: Alerts
  queue: Queue<AlertEvent>
  prefix: string
  api: Hono
  token: string
  secretKey: Buffer
  close(): Promise<void>
}

async function pipeline(mailer: Mailer, redis: Redis): Promise<Pipeline> {
  const pg = await freshDatabase()
  const prefix = uniquePrefix('routing')
  const dataDir = await mkdtemp(path.join(tmpdir(), 'kept-routing-'))
  const settings = testAlertSettings(dataDir, { deliveryAttempts: 2 })
  const secretKey = randomBytes(32)
  const alerts = await startAlerts({ connection: redis, prefix, db: pg.db, secretKey, settings, mailer })
  const queue = new Queue<AlertEvent>(QUEUES.alerts, { connection: redis, prefix })
  const api = keptApp({ db: pg.db, dataDir, secretKey })
  const { token } = await createApiToken(pg.db, { name: 'routing test', role: 'viewer' })
  return {
    db: pg,
    alerts,
    queue,
    prefix,
    api,
    token,
    secretKey,
    async close() {
      await alerts.close()
      await queue.close()
      await dropPrefix(prefix)
      await pg.drop()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

async function webhookReceiver() {
  const bodies: unknown[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, close: () => closeServer(server) }
}

describe('alerts: routing and the outbox', () => {
  let redis: Redis
  let smtp: SmtpReceiver
  let withSmtp: Pipeline
  let noSmtp: Pipeline
  let hook: Awaited<ReturnType<typeof webhookReceiver>>

  beforeAll(async () => {
    redis = createRedisConnection('redis://127.0.0.1:6379', { worker: true })
    smtp = await startSmtpReceiver()
    hook = await webhookReceiver()
    withSmtp = await pipeline(
      { transport: nodemailer.createTransport(`smtp://127.0.0.1:${smtp.port}`), configured: true, from: 'Kept <kept@localhost>' },
      redis,
    )
    noSmtp = await pipeline({ transport: nodemailer.createTransport({ jsonTransport: true }), configured: false, from: 'Kept <kept@localhost>' }, redis)
  })
  afterAll(async () => {
    await withSmtp?.close()
    await noSmtp?.close()
    await smtp?.close()
    await hook?.close()
    redis?.disconnect()
  })

  async function addChannel(p: Pipeline, name: string, isDefault = false) {
    const [row] = await p.db.db
      .insert(channels)
      .values({ type: 'webhook', name, isDefault, configEncrypted: encryptChannelConfig(p.secretKey, { url: hook.url, secret: 'a-webhook-secret-of-some-length' }) })
      .returning()
    return row!
  }

  async function breakPromise(p: Pipeline, options: { techOwner?: string | null; channelIds?: string[]; title?: string } = {}) {
    const [promise] = await p.db.db
      .insert(promises)
      .values({ title: options.title ?? 'Order online in 3 clicks', journey: 'go to http://127.0.0.1:4100/', techOwner: options.techOwner === undefined ? 'tom@example.com' : options.techOwner, state: 'broken' })
      .returning()
    if (options.channelIds?.length) await p.db.db.insert(promiseChannels).values(options.channelIds.map((channelId) => ({ promiseId: promise!.id, channelId })))
    const runId = randomUUID()
    const openedAt = new Date(Date.now() - 10 * 60_000)
    const failure = { kind: 'step' as const, line: 2, message: 'expected the button "Place order", the page has none' }
    await p.db.db.insert(runs).values({
      id: runId,
      promiseId: promise!.id,
      trigger: 'confirm',
      outcome: 'broken',
      durationMs: 900,
      startedAt: openedAt,
      finishedAt: new Date(openedAt.getTime() + 900),
      steps: [{ line: 2, text: 'click "Place order"', outcome: 'failed', durationMs: 900, error: failure.message }],
      failure,
    })
    const [brk] = await p.db.db.insert(breaks).values({ promiseId: promise!.id, openedAt, openedByRunId: runId, firstRunId: runId, failure }).returning()
    const event: AlertEvent = { type: 'break.opened', breakId: brk!.id, promiseId: promise!.id, runId, at: openedAt.toISOString() }
    await p.queue.add(event.type, event, { ...ALERT_JOB_OPTIONS, jobId: alertJobId(event) })
    return { promise: promise!, brk: brk!, runId }
  }

  async function resolve(p: Pipeline, b: { brk: { id: string; promiseId: string }; runId: string }) {
    const resolvedAt = new Date()
    await p.db.db.update(breaks).set({ resolvedAt }).where(eq(breaks.id, b.brk.id))
    const event: AlertEvent = { type: 'break.resolved', breakId: b.brk.id, promiseId: b.brk.promiseId, runId: b.runId, at: resolvedAt.toISOString() }
    await p.queue.add(event.type, event, { ...ALERT_JOB_OPTIONS, jobId: alertJobId(event) })
  }

  const deliveries = (p: Pipeline, breakId: string) => p.db.db.select().from(alertDeliveries).where(eq(alertDeliveries.breakId, breakId))
  const settled = (p: Pipeline, breakId: string, count: number) =>
    until(async () => {
      const rows = await deliveries(p, breakId)
      return rows.length === count && rows.every((row) => ['sent', 'logged', 'failed'].includes(row.status)) && rows
    }, `${count} settled deliveries`)
  const breakJson = async (p: Pipeline, id: string) => {
    const res = await p.api.request(`/api/v1/breaks/${id}`, { headers: { authorization: `Bearer ${p.token}` } })
    expect(res.status).toBe(200)
    return (await res.json()) as { alerts: { channelId: string | null; channel: string; kind: string; status: string; at: string; attempts: number; error: string | null }[] }
  }

  it('emails the tech owner when no channel hears of the promise, through a real SMTP server', async () => {
    const b = await breakPromise(withSmtp)
    const [row] = await settled(withSmtp, b.brk.id, 1)
    expect(row).toMatchObject({ status: 'sent', channelId: null, recipient: 'tom@example.com', idempotencyKey: `${b.brk.id}:open:owner` })
    const mail = await until(() => smtp.received.find((m) => m.raw.toString().includes(b.brk.id)), 'the owner\'s email')
    expect(mail.to).toEqual(['tom@example.com'])
    expect(mail.raw.toString()).toContain('X-Kept-Event: break.opened')
    const json = await breakJson(withSmtp, b.brk.id)
    expect(json.alerts).toEqual([
      expect.objectContaining({ channelId: null, channel: 'tech owner tom@example.com', kind: 'opened', status: 'sent', attempts: 1, error: null }),
    ])
    await resolve(withSmtp, b)
    const rows = await settled(withSmtp, b.brk.id, 2)
    expect(rows.find((r) => r.kind === 'resolve')).toMatchObject({ status: 'sent', recipient: 'tom@example.com' })
    expect((await breakJson(withSmtp, b.brk.id)).alerts.map((a) => [a.kind, a.status])).toEqual([
      ['opened', 'sent'],
      ['resolved', 'sent'],
    ])
  })

  it('keeps the owner\'s email in the outbox when SMTP_URL is not set: logged, not failed', async () => {
    const b = await breakPromise(noSmtp, { title: 'Checkout in under a minute' })
    const [row] = await settled(noSmtp, b.brk.id, 1)
    expect(row).toMatchObject({ status: 'logged', attempts: 1, lastError: 'not sent: SMTP_URL is not set' })
    const [kept] = await noSmtp.db.db.select().from(outbox).where(eq(outbox.breakId, b.brk.id))
    expect(kept).toMatchObject({ kind: 'alert', to: ['tom@example.com'], reason: 'not sent: SMTP_URL is not set', promiseTitle: 'Checkout in under a minute' })
    expect(kept!.subject).toContain('Checkout in under a minute')
    expect((await breakJson(noSmtp, b.brk.id)).alerts).toEqual([
      expect.objectContaining({ channelId: null, kind: 'opened', status: 'logged', error: 'not sent: SMTP_URL is not set' }),
    ])
    // A deleted promise leaves its outbox entry, with the title it had.
    await noSmtp.db.db.delete(promises).where(eq(promises.id, b.promise.id))
    const [after] = await noSmtp.db.db.select().from(outbox).where(eq(outbox.id, kept!.id))
    expect(after).toMatchObject({ promiseId: null, breakId: null, promiseTitle: 'Checkout in under a minute' })
  })

  it('says a promise with no channel and no tech owner reaches nobody, and sends nothing', async () => {
    const b = await breakPromise(withSmtp, { techOwner: null })
    const jobId = alertJobId({ type: 'break.opened', breakId: b.brk.id, promiseId: b.promise.id, runId: b.runId, at: '' })
    await until(async () => (await withSmtp.queue.getJob(jobId))?.finishedOn, 'the event handled')
    expect(await deliveries(withSmtp, b.brk.id)).toEqual([])
  })

  it('prefers the promise\'s channels, then the default channels; a deleted channel keeps its history', async () => {
    const named = await addChannel(withSmtp, 'Ops hook')
    const fallback = await addChannel(withSmtp, 'Default hook', true)
    const toNamed = await breakPromise(withSmtp, { channelIds: [named.id] })
    const toDefault = await breakPromise(withSmtp)
    expect((await settled(withSmtp, toNamed.brk.id, 1))[0]).toMatchObject({ channelId: named.id, status: 'sent', channelLabel: 'Ops hook' })
    expect((await settled(withSmtp, toDefault.brk.id, 1))[0]).toMatchObject({ channelId: fallback.id, status: 'sent' })
    expect(hook.bodies.length).toBeGreaterThanOrEqual(2)

    // The channel is deleted: the break's history still says where its alert went.
    await withSmtp.db.db.delete(channels).where(eq(channels.id, named.id))
    expect((await breakJson(withSmtp, toNamed.brk.id)).alerts).toEqual([
      expect.objectContaining({ channelId: null, channel: 'Ops hook (channel deleted since)', kind: 'opened', status: 'sent' }),
    ])
    // Its resolve has nowhere to go and is not attempted.
    await resolve(withSmtp, toNamed)
    const jobId = alertJobId({ type: 'break.resolved', breakId: toNamed.brk.id, promiseId: toNamed.promise.id, runId: toNamed.runId, at: '' })
    await until(async () => (await withSmtp.queue.getJob(jobId))?.finishedOn, 'the resolve handled')
    expect(await deliveries(withSmtp, toNamed.brk.id)).toHaveLength(1)
    // The promise that named it now falls back to the default channel.
    await withSmtp.db.db.update(breaks).set({ resolvedAt: new Date() }).where(eq(breaks.promiseId, toNamed.promise.id))
    const again = await breakPromise(withSmtp, { title: 'Again' })
    expect((await settled(withSmtp, again.brk.id, 1))[0]).toMatchObject({ channelId: fallback.id })
    await withSmtp.db.db.delete(channels).where(eq(channels.id, fallback.id))
  })

})
