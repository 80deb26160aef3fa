import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Queue } from 'bullmq'
import { eq } from 'drizzle-orm'
import type { Redis } from 'ioredis'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acknowledgeBreak } from '../../src/alerts/acknowledge.ts'
import { startAlerts, type Alerts } from '../../src/alerts/alerts.ts'
import { encryptChannelConfig } from '../../src/alerts/channel-config.ts'
import type { ChannelConfig } from '../../src/alerts/channels/index.ts'
import { openAlertContext, type AlertsOptions } from '../../src/alerts/context.ts'
import type { AlertSettings } from '../../src/alerts/settings.ts'
import { runAlertTick } from '../../src/alerts/tick.ts'
import {
  alertDeliveries,
  breaks,
  channels,
  maintenanceWindows,
  promiseChannels,
  promises,
  runs,
  type ChannelType,
} from '../../src/db/schema.ts'
import { createRedisConnection } from '../../src/infra/redis.ts'
import { QUEUES } from '../../src/queue/jobs.ts'
import { ALERT_JOB_OPTIONS } from '../../src/queue/options.ts'
import { alertJobId, type AlertEvent } from '../../src/recorder/recorder.ts'
import { freshDatabase, uniquePrefix } from '../support/db.ts'
import { pause, until } from '../support/wait.ts'
import { closeServer } from '../../src/infra/close-server.ts'

// Grouping, maintenance windows, reminders and acknowledgement, against
// real HTTP receivers, Postgres and Redis. The tick is called directly,
// with a clock moved forward where reminders need hours to pass.

const SECRET = 'a-webhook-secret-of-some-length'
const HOUR = 3600_000

interface Received {
  headers: IncomingHttpHeaders
  body: any
}

async function receiver() {
  const requests: Received[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      requests.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) })
      res.writeHead(202).end('{"status":"success"}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    close: () => closeServer(server),
  }
}

describe('alerts: grouping, maintenance, reminders', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let redis: Redis
  let prefix: string
  let alertsQueue: Queue<AlertEvent>
  let options: AlertsOptions
  let alerts: Alerts
  const secretKey = randomBytes(32)
  const receivers: Awaited<ReturnType<typeof receiver>>[] = []

  const settings: AlertSettings = {
    baseUrl: 'https://kept.example.com',
    dataDir: '/nonexistent',
    timezone: 'UTC',
    // Wide enough that five breaks made one after another on busy cores fall in one window.
    groupWindowMs: 2500,
    groupThreshold: 3,
    reminderIntervalMs: 4 * HOUR,
    reminderMax: 2,
    deliveryAttempts: 3,
    deliveryBackoffMs: 100,
    tickEveryMs: 0,
  }

  beforeAll(async () => {
    pg = await freshDatabase()
    redis = createRedisConnection('redis://127.0.0.1:6379', { worker: true })
    prefix = uniquePrefix('alerts-life')
    alertsQueue = new Queue(QUEUES.alerts, { connection: redis, prefix })
    const mailer = { transport: nodemailer.createTransport({ jsonTransport: true }), configured: false, from: 'kept@localhost' }
    options = { connection: redis, prefix, db: pg.db, secretKey, settings, mailer }
    alerts = await startAlerts(options)
  })

  afterAll(async () => {
    await alerts?.close()
    const deliveries = new Queue(QUEUES.alertDeliveries, { connection: redis, prefix })
    for (const queue of [alertsQueue, deliveries]) {
      await queue?.obliterate({ force: true })
      await queue?.close()
    }
    for (const r of receivers) await r.close()
    redis?.disconnect()
    await pg?.drop()
  })

  /** A channel and the receiver behind it. */
  const channelWithReceiver = async (type: ChannelType = 'webhook') => {
    const r = await receiver()
    receivers.push(r)
    const config: ChannelConfig =
      type === 'pagerduty' ? { routingKey: 'R0UT1NGKEY', eventsUrl: r.url } : { url: r.url, secret: SECRET }
    const [row] = await pg.db
      .insert(channels)
      .values({ type, name: `${type} ${randomUUID().slice(0, 4)}`, configEncrypted: encryptChannelConfig(secretKey, config) })
      .returning()
    return { channel: row!, hook: r }
  }

  const announce = (event: AlertEvent) =>
    alertsQueue.add(event.type, event, { ...ALERT_JOB_OPTIONS, jobId: alertJobId(event) })

  /** A promise routed to the channel, with an open break (opened an hour ago) announced as the recorder would. */
  const breakPromise = async (channelId: string, title = `Promise ${randomUUID().slice(0, 6)}`, { announced = true } = {}) => {
    const [promise] = await pg.db.insert(promises).values({ title, journey: 'go to http://127.0.0.1:4100/' }).returning()
    await pg.db.insert(promiseChannels).values({ promiseId: promise!.id, channelId })
    const runId = randomUUID()
    const openedAt = new Date(Date.now() - HOUR)
    const failure = { kind: 'budget' as const, budget: 'maxClicks' as const, limit: 3, actual: 5, message: '5 clicks' }
    await pg.db.insert(runs).values({
      id: runId,
      promiseId: promise!.id,
      trigger: 'confirm',
      outcome: 'broken',
      clicks: 5,
      durationMs: 4000,
      startedAt: openedAt,
      finishedAt: new Date(openedAt.getTime() + 4000),
      failure,
    })
    const [brk] = await pg.db
      .insert(breaks)
      .values({ promiseId: promise!.id, openedAt, openedByRunId: runId, failure, createdAt: openedAt })
      .returning()
    if (announced) await announce({ type: 'break.opened', breakId: brk!.id, promiseId: promise!.id, runId, at: openedAt.toISOString() })
    return { promise: promise!, brk: brk!, runId }
  }

  const resolveBreak = async (b: { brk: { id: string; promiseId: string }; runId: string }) => {
    const resolvedAt = new Date()
    await pg.db.update(breaks).set({ resolvedAt }).where(eq(breaks.id, b.brk.id))
    await announce({ type: 'break.resolved', breakId: b.brk.id, promiseId: b.brk.promiseId, runId: b.runId, at: resolvedAt.toISOString() })
  }

  const titleOf = (made: { brk: { id: string }; promise: { title: string } }[], breakId: string) =>
    made.find((b) => b.brk.id === breakId)!.promise.title
  const deliveriesOf = (breakId: string) => pg.db.select().from(alertDeliveries).where(eq(alertDeliveries.breakId, breakId))
  const statusesOf = async (breakId: string) =>
    (await deliveriesOf(breakId)).map((row) => `${row.kind}:${row.status}`).sort()
  const whenStatuses = (breakId: string, expected: string[]) =>
    until(async () => JSON.stringify(await statusesOf(breakId)) === JSON.stringify([...expected].sort()), `${expected} of ${breakId}`)

  const windowFor = async (promiseId: string | null) => {
    const [row] = await pg.db
      .insert(maintenanceWindows)
      .values({ promiseId, startsAt: new Date(Date.now() - 60_000), endsAt: new Date(Date.now() + HOUR), reason: 'deploy' })
      .returning()
    return row!
  }
  const endWindow = (id: string) =>
    pg.db.update(maintenanceWindows).set({ endsAt: new Date(Date.now() - 1000) }).where(eq(maintenanceWindows.id, id))

  it('sends the first open alerts of a window at once and groups the rest of the storm into one message', async () => {
    const { channel, hook } = await channelWithReceiver()
    const few = await channelWithReceiver()
    const storm: Awaited<ReturnType<typeof breakPromise>>[] = []
    // Made first, announced together: the six fall in one window however busy the cores.
    for (let i = 1; i <= 6; i++) storm.push(await breakPromise(channel.id, `Storm promise ${i}`, { announced: false }))
    for (const b of storm) await announce({ type: 'break.opened', breakId: b.brk.id, promiseId: b.promise.id, runId: b.runId, at: b.brk.openedAt.toISOString() })
    const calm = [await breakPromise(few.channel.id), await breakPromise(few.channel.id)]

    for (const b of storm) await whenStatuses(b.brk.id, ['open:sent'])
    for (const b of calm) await whenStatuses(b.brk.id, ['open:sent'])
    await pause(300)
    // The threshold (3) go alone, without waiting for the window; the other three share one message.
    expect(hook.requests.map((r) => r.headers['x-kept-event'])).toEqual(['break.opened', 'break.opened', 'break.opened', 'break.grouped'])
    const alone = hook.requests.slice(0, 3).map((r) => r.body.promise.title)
    const grouped = hook.requests[3]!.body
    expect(grouped.event).toBe('break.grouped')
    const groupedTitles = grouped.breaks.map((b: any) => b.promise.title)
    expect([...alone, ...groupedTitles].sort()).toEqual(storm.map((b) => b.promise.title).sort())
    expect(grouped.message.subject).toMatch(/^3 promises broken: “Storm promise \d”, “Storm promise \d” and “Storm promise \d”$/)

    const rows = (await Promise.all(storm.map((b) => deliveriesOf(b.brk.id)))).flat()
    const keys = new Set(rows.filter((row) => groupedTitles.includes(titleOf(storm, row.breakId!))).map((row) => row.groupKey))
    expect(keys.size).toBe(1)
    expect([...keys][0]).toMatch(new RegExp(`^group:${channel.id}:`))
    expect(new Set(rows.map((row) => row.idempotencyKey)).size).toBe(6)

    // Two at once stay under the threshold: each goes alone.
    expect(few.hook.requests.map((r) => r.body.event)).toEqual(['break.opened', 'break.opened'])
  })

  it('sends a lone open alert at once, without waiting for the grouping window', async () => {
    const { channel, hook } = await channelWithReceiver()
    const started = Date.now()
    const b = await breakPromise(channel.id)
    await whenStatuses(b.brk.id, ['open:sent'])
    expect(Date.now() - started).toBeLessThan(settings.groupWindowMs)
    expect(hook.requests.map((r) => r.body.event)).toEqual(['break.opened'])
  })

  it('sends a resolve only after its open, even when the open still waits for its group', async () => {
    const { channel, hook } = await channelWithReceiver('pagerduty')
    // Three open alerts fill the channel's window, so the next one waits for it to close.
    const storm = [await breakPromise(channel.id), await breakPromise(channel.id), await breakPromise(channel.id)]
    for (const s of storm) await whenStatuses(s.brk.id, ['open:sent'])
    const b = await breakPromise(channel.id)
    await until(async () => (await statusesOf(b.brk.id)).length === 1, 'the open alert to wait')
    await resolveBreak(b) // while the open waits out the grouping window
    await whenStatuses(b.brk.id, ['open:sent', 'resolve:sent'])
    expect(hook.requests.filter((r) => r.body.dedup_key === b.brk.id).map((r) => r.body.event_action)).toEqual(['trigger', 'resolve'])
  })

  it('holds an open alert during maintenance and sends it when the window ends', async () => {
    const { channel, hook } = await channelWithReceiver()
    const b = await breakPromise(channel.id, 'Checkout in under a minute')
    const window = await windowFor(b.promise.id)
    await whenStatuses(b.brk.id, ['open:held'])
    await pause(300)
    expect(hook.requests).toHaveLength(0)

    const ctx = openAlertContext(options)
    try {
      expect(await runAlertTick(ctx)).toMatchObject({ released: 0, cancelled: 0 })
      await endWindow(window.id)
      expect(await runAlertTick(ctx)).toMatchObject({ released: 1, cancelled: 0 })
    } finally {
      await ctx.close()
    }
    await whenStatuses(b.brk.id, ['open:sent'])
    expect(hook.requests.map((r) => r.body.event)).toEqual(['break.opened'])
    expect(hook.requests[0]!.body.promise.title).toBe('Checkout in under a minute')
  })

  it('sends nothing for a break that opens and resolves inside a window', async () => {
    const { channel, hook } = await channelWithReceiver()
    const window = await windowFor(null) // every promise
    const b = await breakPromise(channel.id)
    await resolveBreak(b)
    // The resolve may come while the open still waits for its group: both end held, neither sent.
    await until(async () => {
      const rows = await deliveriesOf(b.brk.id)
      return rows.some((row) => row.kind === 'open') && rows.every((row) => row.status === 'held' || row.status === 'cancelled')
    }, 'the alerts to be held')
    await endWindow(window.id)
    const ctx = openAlertContext(options)
    try {
      await runAlertTick(ctx)
    } finally {
      await ctx.close()
    }
    const statuses = await statusesOf(b.brk.id)
    expect(statuses).toContain('open:cancelled')
    expect(statuses.every((status) => status.endsWith(':cancelled'))).toBe(true)
    await pause(500)
    expect(hook.requests).toHaveLength(0)
  })

  it('holds the resolve of a break that resolves during maintenance until the window ends', async () => {
    const { channel, hook } = await channelWithReceiver()
    const b = await breakPromise(channel.id)
    await whenStatuses(b.brk.id, ['open:sent'])
    const window = await windowFor(b.promise.id)
    await resolveBreak(b)
    await whenStatuses(b.brk.id, ['open:sent', 'resolve:held'])
    await endWindow(window.id)
    const ctx = openAlertContext(options)
    try {
      expect(await runAlertTick(ctx)).toMatchObject({ released: 1 })
    } finally {
      await ctx.close()
    }
    await whenStatuses(b.brk.id, ['open:sent', 'resolve:sent'])
    expect(hook.requests.map((r) => r.body.event)).toEqual(['break.opened', 'break.resolved'])
  })

  it('reminds while a break stays open, up to the cap, and stops on acknowledgement', async () => {
    const { channel, hook } = await channelWithReceiver()
    const acked = await breakPromise(channel.id)
    const ignored = await breakPromise(channel.id)
    await whenStatuses(acked.brk.id, ['open:sent'])
    await whenStatuses(ignored.brk.id, ['open:sent'])
    let now = new Date()
    const ctx = openAlertContext({ ...options, now: () => now })
    const reminders = () => hook.requests.filter((r) => r.body.event === 'break.reminder')
    const remindersSent = async (b: { brk: { id: string } }) =>
      (await pg.db.select().from(breaks).where(eq(breaks.id, b.brk.id)))[0]!.remindersSent
    try {
      // Opened an hour ago: not yet.
      await runAlertTick(ctx)
      expect(await remindersSent(acked)).toBe(0)

      now = new Date(acked.brk.openedAt.getTime() + 4 * HOUR + 60_000)
      await runAlertTick(ctx)
      await runAlertTick(ctx) // once per interval, however often the tick runs
      await whenStatuses(acked.brk.id, ['open:sent', 'reminder:sent'])
      await whenStatuses(ignored.brk.id, ['open:sent', 'reminder:sent'])
      expect(reminders()).toHaveLength(2)
      expect(reminders()[0]!.body.message.text).toContain('nobody has acknowledged it (reminder 1)')

      const brk = await acknowledgeBreak(pg.db, acked.brk.id, 'tom@example.com', now)
      expect(brk).toMatchObject({ acknowledgedBy: 'tom@example.com' })

      now = new Date(now.getTime() + 4 * HOUR)
      await runAlertTick(ctx) // only the ignored one
      await whenStatuses(ignored.brk.id, ['open:sent', 'reminder:sent', 'reminder:sent'])

      now = new Date(now.getTime() + 4 * HOUR)
      await runAlertTick(ctx) // the cap: 2 reminders
    } finally {
      await ctx.close()
    }
    await pause(300)
    expect(reminders()).toHaveLength(3)
    expect(reminders().filter((r) => r.body.break.id === acked.brk.id)).toHaveLength(1)
    expect(await remindersSent(acked)).toBe(1)
    expect(await remindersSent(ignored)).toBe(2)
    expect(await statusesOf(ignored.brk.id)).toEqual(['open:sent', 'reminder:sent', 'reminder:sent'])
  })

  it('sends to PagerDuty with the break id as dedup key: trigger on open, resolve on resolve', async () => {
    const { channel, hook } = await channelWithReceiver('pagerduty')
    const b = await breakPromise(channel.id)
    await whenStatuses(b.brk.id, ['open:sent'])
    await resolveBreak(b)
    await whenStatuses(b.brk.id, ['open:sent', 'resolve:sent'])
    expect(hook.requests.map((r) => [r.body.event_action, r.body.dedup_key, r.body.routing_key])).toEqual([
      ['trigger', b.brk.id, 'R0UT1NGKEY'],
      ['resolve', b.brk.id, 'R0UT1NGKEY'],
    ])
    expect(hook.requests[0]!.body.payload.summary).toContain('the journey took 5 clicks, where the promise allows at most 3 clicks')
  })

  it('gives a delivery whose job was lost in a crash its job again at the next tick', async () => {
    const { channel, hook } = await channelWithReceiver()
    const b = await breakPromise(channel.id)
    await whenStatuses(b.brk.id, ['open:sent'])
    // A resolve row committed just before a crash, its job never added.
    const key = `${b.brk.id}:resolve:${channel.id}`
    await pg.db.update(breaks).set({ resolvedAt: new Date() }).where(eq(breaks.id, b.brk.id))
    await pg.db.insert(alertDeliveries).values({
      idempotencyKey: key,
      breakId: b.brk.id,
      channelId: channel.id,
      kind: 'resolve',
      groupKey: key,
      createdAt: new Date(Date.now() - 5 * 60_000),
    })
    const ctx = openAlertContext(options)
    try {
      await runAlertTick(ctx)
    } finally {
      await ctx.close()
    }
    await whenStatuses(b.brk.id, ['open:sent', 'resolve:sent'])
    expect(hook.requests.map((r) => r.body.event)).toEqual(['break.opened', 'break.resolved'])
  })

  it('alerts about a break whose event was lost, at the next tick', async () => {
    const { channel, hook } = await channelWithReceiver()
    const b = await breakPromise(channel.id, 'Find a store in 2 taps', { announced: false })
    const ctx = openAlertContext(options)
    try {
      await runAlertTick(ctx)
      await whenStatuses(b.brk.id, ['open:sent'])
      await runAlertTick(ctx) // announced now: nothing more
    } finally {
      await ctx.close()
    }
    await pause(800)
    expect(hook.requests.map((r) => [r.body.event, r.body.promise.title])).toEqual([['break.opened', 'Find a store in 2 taps']])
  })
})
