import { spawn } from 'node:child_process'
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Queue } from 'bullmq'
import { and, eq } from 'drizzle-orm'
import { simpleParser, type ParsedMail } from 'mailparser'
import nodemailer from 'nodemailer'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keptApp } from '../e2e/ui-fixtures.ts'
import { startAlerts, type Alerts } from '../../src/alerts/alerts.ts'
import { createApiToken } from '../../src/auth/tokens.ts'
import { closeServer } from '../../src/infra/close-server.ts'
import { encryptChannelConfig } from '../../src/alerts/channel-config.ts'
import type { ChannelConfig, Mailer } from '../../src/alerts/channels/index.ts'
import type { AlertsOptions } from '../../src/alerts/context.ts'
import type { AlertSettings } from '../../src/alerts/settings.ts'
import { sendTestAlert, UnknownChannelError } from '../../src/alerts/test-alert.ts'
import { ensureDeliveryJobs } from '../../src/alerts/enqueue.ts'
import { DEFAULT_TIMEOUT_MS } from '../../src/alerts/channels/http.ts'
import { alertDeliveries, breaks, channels, promiseChannels, promises, runs, type ChannelType } from '../../src/db/schema.ts'
import { createRedisConnection, type RedisClient } from '../../src/infra/redis.ts'
import { QUEUES } from '../../src/queue/jobs.ts'
import { ALERT_JOB_OPTIONS } from '../../src/queue/options.ts'
import { alertJobId, type AlertEvent } from '../../src/recorder/recorder.ts'
import { testAlertSettings } from '../support/alert-settings.ts'
import { freshDatabase, uniquePrefix } from '../support/db.ts'
import { itOnSingleRedis, testRedis } from '../support/redis.ts'
import { pause, until } from '../support/wait.ts'

// The alert pipeline against real receivers: an SMTP server, HTTP
// webhooks, Postgres and Redis. Breaks are written to the database as the
// recorder would, and announced on queue "alerts" as the recorder does.

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)
const SECRET = 'a-webhook-secret-of-some-length'

interface Received {
  headers: IncomingHttpHeaders
  raw: Buffer
  body: any
}

/** An HTTP receiver on 127.0.0.1:0 that answers 500 to the first `failFirst` requests. */
async function receiver(failFirst = 0) {
  const requests: Received[] = []
  let seen = 0
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      seen++
      if (seen <= failFirst) {
        res.writeHead(500).end('receiver down')
        return
      }
      const raw = Buffer.concat(chunks)
      requests.push({ headers: req.headers, raw, body: JSON.parse(raw.toString('utf8')) })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    get tries() {
      return seen
    },
    close: () => closeServer(server),
  }
}

/** The verification recipe of docs/alerts.md, step by step, written apart from signWebhook. */
function verifiedByDocRecipe(secret: string, request: Received): boolean {
  const timestamp = String(request.headers['x-kept-timestamp'])
  const expected =
    'sha256=' + createHmac('sha256', secret).update(`${timestamp}.`).update(request.raw).digest('hex')
  const given = String(request.headers['x-kept-signature'] ?? '')
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300
  return fresh && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))
}

describe('alerts: delivery', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let redis: RedisClient
  let prefix: string
  let dataDir: string
  let alertsQueue: Queue<AlertEvent>
  let deliveriesQueue: Queue
  let smtp: SMTPServer
  let mails: ParsedMail[]
  let mailer: Mailer
  let options: AlertsOptions
  let alerts: Alerts | undefined
  const secretKey = randomBytes(32)
  const receivers: Awaited<ReturnType<typeof receiver>>[] = []

  const settings = (overrides: Partial<AlertSettings> = {}) => testAlertSettings(dataDir, overrides)

  beforeAll(async () => {
    pg = await freshDatabase()
    redis = testRedis({ worker: true })
    prefix = uniquePrefix('alerts')
    dataDir = await mkdtemp(path.join(tmpdir(), 'kept-alerts-'))
    alertsQueue = new Queue(QUEUES.alerts, { connection: redis, prefix })
    deliveriesQueue = new Queue(QUEUES.alertDeliveries, { connection: redis, prefix })
    mails = []
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            mails.push(mail)
            callback()
          })
          .catch(callback)
      },
    })
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
    const port = (smtp.server.address() as AddressInfo).port
    mailer = { transport: nodemailer.createTransport(`smtp://127.0.0.1:${port}`), configured: true, from: 'Kept <kept@localhost>' }
    options = { connection: redis, prefix, db: pg.db, secretKey, settings: settings(), mailer }
    alerts = await startAlerts(options)
  })

  afterAll(async () => {
    await alerts?.close()
    for (const queue of [alertsQueue, deliveriesQueue]) {
      await queue?.obliterate({ force: true })
      await queue?.close()
    }
    for (const r of receivers) await r.close()
    mailer?.transport.close()
    await new Promise<void>((resolve) => smtp?.close(() => resolve()))
    redis?.disconnect()
    await pg?.drop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  const addReceiver = async (failFirst = 0) => {
    const r = await receiver(failFirst)
    receivers.push(r)
    return r
  }

  const addChannel = async (type: ChannelType, config: ChannelConfig, name = `${type} ${randomUUID().slice(0, 4)}`) => {
    const [row] = await pg.db
      .insert(channels)
      .values({ type, name, configEncrypted: encryptChannelConfig(secretKey, config) })
      .returning()
    return row!
  }

  /** A promise routed to these channels, broken since 72 minutes ago by a failed step, with a screenshot on disk. */
  const breakPromise = async (channelIds: string[], title = 'Order online in 3 clicks') => {
    const [promise] = await pg.db
      .insert(promises)
      .values({ title, journey: 'go to http://127.0.0.1:4100/', techOwner: 'tom@example.com', state: 'broken' })
      .returning()
    if (channelIds.length) {
      await pg.db.insert(promiseChannels).values(channelIds.map((channelId) => ({ promiseId: promise!.id, channelId })))
    }
    const runId = randomUUID()
    const openedAt = new Date(Date.now() - 72 * 60_000)
    await mkdir(path.join(dataDir, 'evidence', runId), { recursive: true })
    await writeFile(path.join(dataDir, 'evidence', runId, 'failure.png'), PNG)
    const failure = { kind: 'step' as const, line: 4, message: 'expected the button "Place order", the page has none' }
    await pg.db.insert(runs).values({
      id: runId,
      promiseId: promise!.id,
      trigger: 'confirm',
      outcome: 'broken',
      durationMs: 5400,
      startedAt: openedAt,
      finishedAt: new Date(openedAt.getTime() + 5400),
      steps: [
        { line: 1, text: 'go to http://127.0.0.1:4100/', outcome: 'passed', durationMs: 300 },
        { line: 2, text: 'click "Shop now"', outcome: 'passed', durationMs: 200 },
        { line: 4, text: 'click "Place order"', outcome: 'failed', durationMs: 5000, error: failure.message },
      ],
      failure,
      screenshotPath: `${runId}/failure.png`,
      tracePath: `${runId}/trace.zip`,
    })
    const [brk] = await pg.db
      .insert(breaks)
      .values({ promiseId: promise!.id, openedAt, openedByRunId: runId, firstRunId: runId, failure })
      .returning()
    await announce({ type: 'break.opened', breakId: brk!.id, promiseId: promise!.id, runId, at: openedAt.toISOString() })
    return { promise: promise!, brk: brk!, runId }
  }

  /** What the recorder does after a break change. */
  const announce = (event: AlertEvent) =>
    alertsQueue.add(event.type, event, { ...ALERT_JOB_OPTIONS, jobId: alertJobId(event) })

  const resolveBreak = async (b: { brk: { id: string; promiseId: string }; runId: string }, after = 72 * 60_000) => {
    const [row] = await pg.db.select().from(breaks).where(eq(breaks.id, b.brk.id))
    const resolvedAt = new Date(row!.openedAt.getTime() + after)
    await pg.db.update(breaks).set({ resolvedAt }).where(eq(breaks.id, b.brk.id))
    await announce({ type: 'break.resolved', breakId: b.brk.id, promiseId: b.brk.promiseId, runId: b.runId, at: resolvedAt.toISOString() })
  }

  const deliveriesOf = (breakId: string) => pg.db.select().from(alertDeliveries).where(eq(alertDeliveries.breakId, breakId))
  const settled = (breakId: string, count: number) =>
    until(async () => {
      const rows = await deliveriesOf(breakId)
      return rows.length === count && rows.every((row) => row.status === 'sent' || row.status === 'failed') && rows
    }, `${count} settled deliveries of break ${breakId}`)
  const mailsTo = (breakId: string) => mails.filter((mail) => mail.headers.get('x-kept-delivery')?.toString().startsWith(breakId))

  it('after an attempt a crash interrupted, Slack waits out the channel timeout before sending again; a webhook, which dedupes by key, sends at once', async () => {
    const chat = await addReceiver()
    const hook = await addReceiver()
    const slack = await addChannel('slack', { webhookUrl: chat.url })
    const webhook = await addChannel('webhook', { url: hook.url, secret: SECRET })
    const b = await breakPromise([])
    // As a process killed mid-POST leaves them: sending written, no outcome.
    const sendingAt = new Date(Date.now() - DEFAULT_TIMEOUT_MS + 1500)
    const rows = [slack, webhook].map((channel) => {
      const key = `${b.brk.id}:open:${channel.id}`
      return { idempotencyKey: key, groupKey: key, breakId: b.brk.id, channelId: channel.id, channelLabel: channel.name, kind: 'open' as const, sendingAt, attempts: 1 }
    })
    await pg.db.insert(alertDeliveries).values(rows)
    const started = Date.now()
    await ensureDeliveryJobs(alerts!.context, rows.map((row) => row.groupKey))
    await until(() => hook.requests.length === 1, 'the webhook resent at once')
    expect(chat.requests).toHaveLength(0)
    await until(() => chat.requests.length === 1, 'the Slack alert after the interrupted attempt timed out')
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    await pause(300)
    expect(chat.requests).toHaveLength(1)
  })

  it('sends one open alert per channel, with the failing step and the screenshot', async () => {
    const hook = await addReceiver()
    const slack = await addReceiver()
    const email = await addChannel('email', { to: 'tom@example.com' })
    const webhook = await addChannel('webhook', { url: hook.url, secret: SECRET })
    const chat = await addChannel('slack', { webhookUrl: slack.url })
    const b = await breakPromise([email.id, webhook.id, chat.id])

    const rows = await settled(b.brk.id, 3)
    expect(rows.map((row) => row.status)).toEqual(['sent', 'sent', 'sent'])
    expect(rows.map((row) => row.idempotencyKey).sort()).toEqual(
      [email.id, webhook.id, chat.id].map((channelId) => `${b.brk.id}:open:${channelId}`).sort(),
    )
    const screenshotUrl = `https://kept.example.com/api/v1/runs/${b.runId}/screenshot`

    const [mail] = mailsTo(b.brk.id)
    expect(mailsTo(b.brk.id)).toHaveLength(1)
    expect(mail!.subject).toBe('Broken: “Order online in 3 clicks”')
    expect(mail!.text).toContain('Failing step: line 4: click "Place order"')
    expect(mail!.text).toContain('expected the button "Place order", the page has none')
    expect(mail!.text).toContain(`Screenshot: ${screenshotUrl}`)
    // The screenshot travels inline (mailparser turns the cid: reference into a data URL).
    expect(mail!.html).toContain(`<img src="data:image/png;base64,${PNG.toString('base64')}" alt="Screenshot of the failing step"`)
    expect(mail!.attachments.find((a) => a.cid === 'screenshot@kept')?.content.equals(PNG)).toBe(true)
    expect(mail!.messageId).toBe(`<${b.brk.id}.open.${email.id}@kept>`)

    expect(hook.requests).toHaveLength(1)
    const sent = hook.requests[0]!
    expect(sent.headers['x-kept-event']).toBe('break.opened')
    expect(sent.headers['idempotency-key']).toBe(`${b.brk.id}:open:${webhook.id}`)
    expect(sent.body).toMatchObject({
      event: 'break.opened',
      promise: { id: b.promise.id, title: 'Order online in 3 clicks', techOwner: 'tom@example.com' },
      break: { id: b.brk.id, resolvedAt: null },
      run: { id: b.runId, failingStep: { line: 4, text: 'click "Place order"', outcome: 'failed' } },
      links: { screenshotUrl, runUrl: `https://kept.example.com/runs/${b.runId}` },
    })
    expect(verifiedByDocRecipe(SECRET, sent)).toBe(true)

    expect(slack.requests).toHaveLength(1)
    const buttons = slack.requests[0]!.body.blocks.find((block: any) => block.type === 'actions').elements
    expect(buttons).toContainEqual(expect.objectContaining({ url: screenshotUrl }))

    // The link works: Kept's own API, mounted at /api as in the server, answers it with the screenshot.
    const server = keptApp({ db: pg.db, dataDir, secretKey })
    const { token } = await createApiToken(pg.db, { name: 'alerts test', role: 'viewer' })
    const shot = await server.request(new URL(screenshotUrl).pathname, { headers: { authorization: `Bearer ${token}` } })
    expect(shot.status).toBe(200)
    expect(shot.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await shot.arrayBuffer()).equals(PNG)).toBe(true)

    // The recorder announcing the break again (a retried result) and a
    // delivery job added again (a restart) send nothing more.
    await alertsQueue.remove(`break:${b.brk.id}:open`)
    const again = await announce({ type: 'break.opened', breakId: b.brk.id, promiseId: b.promise.id, runId: b.runId, at: new Date().toISOString() })
    await until(async () => (await alertsQueue.getJob(again.id!))?.finishedOn, 'the repeated event')
    const redo = await deliveriesQueue.add('deliver', { key: `${b.brk.id}:open:${webhook.id}` }, { jobId: `${b.brk.id}:open:${webhook.id}` })
    const done = await until(async () => {
      const job = await deliveriesQueue.getJob(redo.id!)
      return job?.finishedOn ? job : null
    }, 'the repeated delivery job to finish')
    expect(done.returnvalue).toBe('nothing to send')
    await pause(300)
    expect(await deliveriesOf(b.brk.id)).toHaveLength(3)
    expect(hook.requests).toHaveLength(1)
    expect(slack.requests).toHaveLength(1)
    expect(mailsTo(b.brk.id)).toHaveLength(1)
  })

  it('sends one resolve alert per channel, saying how long it was broken', async () => {
    const hook = await addReceiver()
    const email = await addChannel('email', { to: ['tom@example.com', 'ops@example.com'] })
    const webhook = await addChannel('webhook', { url: hook.url, secret: SECRET })
    const b = await breakPromise([email.id, webhook.id])
    await settled(b.brk.id, 2)
    await resolveBreak(b, 72 * 60_000)

    const rows = await settled(b.brk.id, 4)
    expect(rows.filter((row) => row.kind === 'resolve' && row.status === 'sent')).toHaveLength(2)
    const resolveMails = mailsTo(b.brk.id).filter((mail) => mail.headers.get('x-kept-event') === 'break.resolved')
    expect(resolveMails).toHaveLength(1)
    expect(resolveMails[0]!.subject).toBe('Kept again: “Order online in 3 clicks” (broken for 1 h 12 min)')
    expect(resolveMails[0]!.text).toContain('It was broken for 1 h 12 min')
    // In the open alert's thread.
    expect(resolveMails[0]!.inReplyTo).toBe(`<${b.brk.id}.open.${email.id}@kept>`)
    expect(hook.requests.map((r) => r.body.event)).toEqual(['break.opened', 'break.resolved'])
    expect(hook.requests[1]!.body.message.subject).toContain('broken for 1 h 12 min')
    expect(verifiedByDocRecipe(SECRET, hook.requests[1]!)).toBe(true)
  })

  it('sends exactly one alert when the alert workers stop between the event and the delivery', async () => {
    // Another set of workers whose every open alert waits for a grouping window (threshold 0), so the delivery surely waits.
    await alerts!.close()
    const patient = { ...options, settings: settings({ groupWindowMs: 1500, groupThreshold: 0 }) }
    alerts = await startAlerts(patient)
    const hook = await addReceiver()
    const webhook = await addChannel('webhook', { url: hook.url, secret: SECRET })
    const b = await breakPromise([webhook.id])
    await until(async () => (await deliveriesOf(b.brk.id)).length === 1, 'the delivery row')
    await alerts.close()
    alerts = undefined
    await pause(1800)
    expect(hook.requests).toHaveLength(0)
    const [row] = await deliveriesOf(b.brk.id)
    expect(row).toMatchObject({ status: 'pending', attempts: 0 })

    alerts = await startAlerts(patient)
    await settled(b.brk.id, 1)
    await pause(500)
    expect(hook.requests).toHaveLength(1)
    expect(hook.requests[0]!.body.break.id).toBe(b.brk.id)

    await alerts.close()
    alerts = await startAlerts(options)
  })

  itOnSingleRedis('sends exactly one alert when the process running the alerts is killed (SIGKILL) before the delivery', async () => {
    // Every open alert waits for a grouping window (threshold 0): the kill lands before the delivery.
    const patient = settings({ groupWindowMs: 2500, groupThreshold: 0 })
    const src = (file: string) => JSON.stringify(pathToFileURL(path.resolve('src', file)).href)
    // .mts: an ES module wherever it lies; it imports only Kept's own files, by absolute URL.
    const script = path.join(dataDir, 'alerts-child.mts')
    await writeFile(
      script,
      `import { startAlerts } from ${src('alerts/alerts.ts')}
import { openPostgres } from ${src('db/client.ts')}
import { createMailer } from ${src('infra/mailer.ts')}
import { createRedisConnection } from ${src('infra/redis.ts')}
await startAlerts({
  connection: createRedisConnection('redis://127.0.0.1:6379', { worker: true }),
  prefix: process.env.CHILD_PREFIX,
  db: openPostgres(process.env.CHILD_DATABASE_URL, { max: 2 }).db,
  secretKey: Buffer.from(process.env.CHILD_KEY, 'base64'),
  settings: JSON.parse(process.env.CHILD_SETTINGS),
  mailer: { ...createMailer(undefined), from: 'kept@localhost' },
})
console.log('started')
`,
    )
    await alerts!.close()
    alerts = undefined
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: {
        ...process.env,
        CHILD_DATABASE_URL: pg.url,
        CHILD_PREFIX: prefix,
        CHILD_KEY: secretKey.toString('base64'),
        CHILD_SETTINGS: JSON.stringify(patient),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const exited = new Promise((resolve) => child.once('exit', resolve))
    try {
      let output = ''
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
      await until(() => output.includes('started'), 'the child process to start its alerts', 30_000)

      const hook = await addReceiver()
      const webhook = await addChannel('webhook', { url: hook.url, secret: SECRET })
      const b = await breakPromise([webhook.id])
      // Killed once the event is handled (its row and delayed flush are stored) and before the delivery.
      await until(async () => (await alertsQueue.getJob(`break:${b.brk.id}:open`))?.finishedOn, 'the child to handle the event')
      expect(await deliveriesOf(b.brk.id)).toHaveLength(1)
      child.kill('SIGKILL')
      await exited
      expect(hook.requests).toHaveLength(0)

      alerts = await startAlerts({ ...options, settings: patient })
      await settled(b.brk.id, 1)
      await pause(500)
      expect(hook.requests).toHaveLength(1)
      expect(hook.requests[0]!.body.break.id).toBe(b.brk.id)
    } finally {
      child.kill('SIGKILL')
      await alerts?.close()
      alerts = await startAlerts(options)
    }
  }, 60_000)

  it('delivers to a webhook that fails twice on the third try, and a failing channel holds up no other', async () => {
    const flaky = await addReceiver(2)
    const dead = await addReceiver(1000)
    const healthy = await addReceiver()
    const flakyChannel = await addChannel('webhook', { url: flaky.url, secret: SECRET })
    const deadChannel = await addChannel('webhook', { url: dead.url, secret: SECRET })
    const healthyChannel = await addChannel('teams', { webhookUrl: healthy.url })
    const b = await breakPromise([flakyChannel.id, deadChannel.id, healthyChannel.id])

    const rows = await settled(b.brk.id, 3)
    const byChannel = new Map(rows.map((row) => [row.channelId, row]))
    expect(flaky.tries).toBe(3)
    expect(flaky.requests).toHaveLength(1)
    expect(verifiedByDocRecipe(SECRET, flaky.requests[0]!)).toBe(true)
    expect(byChannel.get(flakyChannel.id)).toMatchObject({ status: 'sent', attempts: 3, lastError: null })
    expect(healthy.requests).toHaveLength(1)
    expect(healthy.requests[0]!.body.attachments[0].content.body[0].text).toBe('Broken: “Order online in 3 clicks”')
    expect(byChannel.get(deadChannel.id)).toMatchObject({ status: 'failed', attempts: 4 })
    // The status and its standard reason, never the receiver's own text.
    expect(byChannel.get(deadChannel.id)!.lastError).toMatch(/^HTTP 500 from 127\.0\.0\.1:\d+ \(Internal Server Error\)$/)

    // The failing channel shows its error; the ones that recovered do not.
    const [deadRow] = await pg.db.select().from(channels).where(eq(channels.id, deadChannel.id))
    expect(deadRow!.lastError).toMatch(/^HTTP 500 from/)
    expect(deadRow!.lastErrorAt).toBeInstanceOf(Date)
    const [flakyRow] = await pg.db.select().from(channels).where(eq(channels.id, flakyChannel.id))
    expect(flakyRow!.lastError).toBeNull()
  })

  it('routes a promise that names no channel to the default channels', async () => {
    const hook = await addReceiver()
    const other = await addReceiver()
    const byDefault = await addChannel('webhook', { url: hook.url, secret: SECRET })
    await addChannel('webhook', { url: other.url, secret: SECRET })
    await pg.db.update(channels).set({ isDefault: true }).where(eq(channels.id, byDefault.id))
    const b = await breakPromise([])
    const rows = await settled(b.brk.id, 1)
    expect(rows[0]!.channelId).toBe(byDefault.id)
    expect(hook.requests).toHaveLength(1)
    expect(other.requests).toHaveLength(0)
    await pg.db.update(channels).set({ isDefault: false }).where(eq(channels.id, byDefault.id))
  })

  it('sends a test alert, and says clearly why a channel fails', async () => {
    const hook = await addReceiver()
    const webhook = await addChannel('webhook', { url: hook.url, secret: SECRET }, 'Ops hook')
    await sendTestAlert(options, webhook.id)
    expect(hook.requests).toHaveLength(1)
    expect(hook.requests[0]!.body).toMatchObject({ event: 'channel.test' })
    expect(hook.requests[0]!.body.message.subject).toBe('Kept test alert for “Ops hook”')
    expect(verifiedByDocRecipe(SECRET, hook.requests[0]!)).toBe(true)

    const email = await addChannel('email', { to: 'tom@example.com' }, 'Tom')
    await sendTestAlert(options, email.id)
    expect(mails.filter((mail) => mail.subject === 'Kept test alert for “Tom”')).toHaveLength(1)

    const down = await addReceiver(1000)
    const broken = await addChannel('webhook', { url: down.url, secret: SECRET }, 'Down hook')
    await expect(sendTestAlert(options, broken.id)).rejects.toThrow(
      /^the test alert to “Down hook” failed: HTTP 500 from 127\.0\.0\.1:\d+ \(Internal Server Error\)$/,
    )
    const [row] = await pg.db.select().from(channels).where(eq(channels.id, broken.id))
    expect(row!.lastError).toMatch(/HTTP 500/)
    const tests = await pg.db
      .select()
      .from(alertDeliveries)
      .where(and(eq(alertDeliveries.channelId, broken.id), eq(alertDeliveries.kind, 'test')))
    expect(tests).toMatchObject([{ status: 'failed', attempts: 1 }])

    // A working test clears the channel's error.
    await pg.db.update(channels).set({ lastError: 'old trouble' }).where(eq(channels.id, webhook.id))
    await sendTestAlert(options, webhook.id)
    const [healed] = await pg.db.select().from(channels).where(eq(channels.id, webhook.id))
    expect(healed!.lastError).toBeNull()

    await expect(sendTestAlert(options, randomUUID())).rejects.toBeInstanceOf(UnknownChannelError)
  })
})
