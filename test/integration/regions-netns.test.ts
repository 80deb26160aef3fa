import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAlerts, type Alerts } from '../../src/alerts/alerts.ts'
import { encryptChannelConfig } from '../../src/alerts/channel-config.ts'
import { breaks, channels, promiseChannels, promiseRegions, promises, runs } from '../../src/db/schema.ts'
import { regionSummary } from '../../src/domain/region.ts'
import { closeServer } from '../../src/infra/close-server.ts'
import { createRedisConnection, type RedisClient } from '../../src/infra/redis.ts'
import { JourneyQueues } from '../../src/queue/journey-queues.ts'
import { liveRegions } from '../../src/queue/regions.ts'
import { Scheduler } from '../../src/queue/scheduler.ts'
import { startRecorder, type Recorder } from '../../src/recorder/recorder.ts'
import { loadPromiseView } from '../../src/api/views/promises.ts'
import { testAlertSettings } from '../support/alert-settings.ts'
import { freshDatabase, uniquePrefix } from '../support/db.ts'
import { onRedisCluster } from '../support/redis.ts'
import { until } from '../support/wait.ts'

// Issue 20, part 5: regions across real network boundaries. Two journey
// workers, real `kept worker --region …` processes, each in its own network
// namespace joined to this host by a veth pair: region us reaches the shop,
// region eu has no route to it. The control plane (scheduler, recorder,
// alerts) runs here, on a Redis of its own that listens on the host's end
// of both pairs. The promise must break in eu only, and its alert, a real
// webhook on 127.0.0.1, must say so.

const KEPT = path.resolve('src/cli/kept.ts')

/** Why this machine cannot make network namespaces, or null when it can. */
function whyNoNamespaces(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to make network namespaces (ip netns add)'
  if (spawnSync('ip', ['-V']).status !== 0) return 'needs the ip command (iproute2)'
  if (spawnSync('redis-server', ['--version']).status !== 0) return 'needs redis-server to start a Redis the namespaces reach'
  if (onRedisCluster) return 'runs once, on the single Redis it starts itself'
  return null
}

const reason = whyNoNamespaces()
if (reason) console.warn(`regions across network namespaces skipped: ${reason}`)

function sh(...args: string[]): void {
  const done = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' })
  if (done.status !== 0) throw new Error(`${args.join(' ')}: ${done.stderr || done.stdout}`)
}

describe.skipIf(reason !== null)('regions across network namespaces', () => {
  // Names and subnets of this run: a veth name has at most 15 characters.
  const n = (process.pid % 200) + 20
  const tag = randomBytes(2).toString('hex')
  const nets = {
    eu: { ns: `kept-eu-${tag}`, host: `kh-eu-${tag}`, peer: `kn-eu-${tag}`, hostIp: `10.231.${n}.1`, nsIp: `10.231.${n}.2` },
    us: { ns: `kept-us-${tag}`, host: `kh-us-${tag}`, peer: `kn-us-${tag}`, hostIp: `10.232.${n}.1`, nsIp: `10.232.${n}.2` },
  }
  const made: string[] = []
  let redisServer: ChildProcess | undefined
  let redisPort = 0
  let redis: RedisClient
  let prefix: string
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let dataDir: string
  let shop: Server
  let shopUrl: string
  let hook: Server
  let hookUrl: string
  const hooks: { event: string; message: { subject: string; summary: string; text: string }; break?: { region?: string; regions?: string } }[] = []
  let journeyQueues: JourneyQueues
  let scheduler: Scheduler
  let recorder: Recorder
  let alerts: Alerts
  const workers: { region: string; child: ChildProcess; output: () => string }[] = []
  const secretKey = 'netns-secret-key-0123456789abcdefghijkl'
  // Encrypts the channel's config (the workers never see it).
  const channelKey = randomBytes(32)

  beforeAll(async () => {
    for (const net of Object.values(nets)) {
      sh('ip', 'netns', 'add', net.ns)
      made.push(net.ns)
      sh('ip', 'link', 'add', net.host, 'type', 'veth', 'peer', 'name', net.peer)
      sh('ip', 'link', 'set', net.peer, 'netns', net.ns)
      sh('ip', 'addr', 'add', `${net.hostIp}/24`, 'dev', net.host)
      sh('ip', 'link', 'set', net.host, 'up')
      sh('ip', 'netns', 'exec', net.ns, 'ip', 'addr', 'add', `${net.nsIp}/24`, 'dev', net.peer)
      sh('ip', 'netns', 'exec', net.ns, 'ip', 'link', 'set', net.peer, 'up')
      sh('ip', 'netns', 'exec', net.ns, 'ip', 'link', 'set', 'lo', 'up')
    }

    // A Redis both namespaces reach (each through its own pair), and this process too.
    redisPort = 20000 + (process.pid % 20000)
    redisServer = spawn(
      'redis-server',
      ['--port', String(redisPort), '--bind', `127.0.0.1 ${nets.eu.hostIp} ${nets.us.hostIp}`, '--protected-mode', 'no', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    )
    redis = createRedisConnection({ url: `redis://127.0.0.1:${redisPort}` }, { worker: true })
    // Refused until redis-server listens: the client retries, quietly.
    redis.on('error', () => {})
    await until(async () => (await redis.ping().catch(() => null)) === 'PONG', 'the namespaces’ Redis')
    prefix = uniquePrefix('netns')

    // The shop listens on the host's end of the us pair only: eu has no route to it.
    shop = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Shop</title><h1>Order confirmed</h1>'))
    await new Promise<void>((resolve) => shop.listen(0, nets.us.hostIp, resolve))
    shopUrl = `http://${nets.us.hostIp}:${(shop.address() as AddressInfo).port}/`

    // The alert channel: a real webhook receiver on 127.0.0.1.
    hook = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        hooks.push(JSON.parse(Buffer.concat(chunks).toString('utf8')))
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve))
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`

    pg = await freshDatabase()
    dataDir = await mkdtemp(path.join(tmpdir(), 'kept-netns-'))
    journeyQueues = new JourneyQueues(redis, prefix)
    scheduler = new Scheduler({ db: pg.db, queue: journeyQueues.of('local'), queues: journeyQueues, redis, prefix })
    recorder = startRecorder({ connection: redis, prefix, db: pg.db, maxBackoffMs: 1000 })
    alerts = await startAlerts({
      connection: redis,
      prefix,
      db: pg.db,
      secretKey: channelKey,
      settings: testAlertSettings(dataDir),
      // Webhooks only: no mail in this test.
      mailer: { transport: nodemailer.createTransport({ jsonTransport: true }), configured: true, from: 'kept@localhost' },
    })

    for (const region of ['eu', 'us'] as const) {
      const net = nets[region]
      let output = ''
      const child = spawn('ip', ['netns', 'exec', net.ns, process.execPath, '--import', 'tsx', KEPT, 'worker', '--region', region], {
        env: {
          ...process.env,
          REDIS_URL: `redis://${net.hostIp}:${redisPort}`,
          KEPT_QUEUE_PREFIX: prefix,
          KEPT_SECRET_KEY: secretKey,
          KEPT_DATA_DIR: path.join(dataDir, region),
          KEPT_WORKER_CONCURRENCY: '1',
          // The shop is on a private address: journeys may reach these two subnets.
          KEPT_ALLOWED_TARGETS: `10.231.${n}.0/24,10.232.${n}.0/24`,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      child.stdout!.on('data', (d) => (output += d))
      child.stderr!.on('data', (d) => (output += d))
      workers.push({ region, child, output: () => output })
    }
    await until(
      async () => {
        for (const w of workers) if (w.child.exitCode !== null) throw new Error(`the ${w.region} worker exited:\n${w.output()}`)
        const live = await liveRegions(redis, prefix)
        return live.includes('eu') && live.includes('us')
      },
      'a live worker in eu and in us',
      90_000,
    )
  }, 150_000)

  afterAll(async () => {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve()
            w.child.once('exit', () => resolve())
            w.child.kill('SIGTERM')
            setTimeout(() => (w.child.kill('SIGKILL'), resolve()), 10_000).unref()
          }),
      ),
    )
    await alerts?.close()
    await recorder?.close()
    await journeyQueues?.close()
    redis?.disconnect()
    redisServer?.kill('SIGKILL')
    if (shop) await closeServer(shop)
    if (hook) await closeServer(hook)
    await pg?.drop()
    // Deleting a namespace deletes its end of the pair, and so the pair.
    for (const ns of made) spawnSync('ip', ['netns', 'del', ns])
    for (const net of Object.values(nets)) spawnSync('ip', ['link', 'del', net.host])
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  }, 60_000)

  it('breaks the promise in the region that cannot reach the shop only, and its alert says where', async () => {
    // Each namespace sees the shop as the test says: us reaches it, eu has no route.
    expect(spawnSync('ip', ['netns', 'exec', nets.us.ns, 'ip', 'route', 'get', nets.us.hostIp]).status).toBe(0)
    expect(spawnSync('ip', ['netns', 'exec', nets.eu.ns, 'ip', 'route', 'get', nets.us.hostIp]).status).not.toBe(0)

    const [channel] = await pg.db
      .insert(channels)
      .values({ type: 'webhook', name: 'ops hook', configEncrypted: encryptChannelConfig(channelKey, { url: hookUrl, secret: 'a-webhook-secret-of-some-length' }) })
      .returning()
    const [promise] = await pg.db
      .insert(promises)
      .values({
        title: 'Order confirmed for every customer',
        journey: `go to ${shopUrl}\nexpect "Order confirmed"`,
        regions: ['eu', 'us'],
        scheduleEverySeconds: null,
        techOwner: 'tom@example.com',
      })
      .returning()
    await pg.db.insert(promiseChannels).values({ promiseId: promise!.id, channelId: channel!.id })

    // "Run now" walks every region; eu's broken walk is confirmed on eu's queue, which opens its break.
    await scheduler.runNow(promise!.id)
    const opened = await until(
      async () => (await pg.db.select().from(breaks).where(eq(breaks.promiseId, promise!.id)))[0],
      'the break to open',
      120_000,
    )
    expect(opened.region).toBe('eu')
    const walked = await pg.db.select({ region: runs.region, outcome: runs.outcome, trigger: runs.trigger }).from(runs).where(eq(runs.promiseId, promise!.id))
    expect(walked.filter((r) => r.region === 'us').map((r) => r.outcome)).toEqual(['kept'])
    expect(walked.filter((r) => r.region === 'eu').map((r) => `${r.trigger} ${r.outcome}`).sort()).toEqual(['confirm broken', 'manual broken'])

    const states = await pg.db.select().from(promiseRegions).where(eq(promiseRegions.promiseId, promise!.id))
    const byRegion = Object.fromEntries(states.map((s) => [s.region, s.state]))
    expect(byRegion).toEqual({ eu: 'broken', us: 'kept' })
    const view = await loadPromiseView(pg.db, promise!.id)
    expect(view?.state).toBe('broken')
    expect(view?.regions.map((r) => [r.region, r.state])).toEqual([
      ['eu', 'broken'],
      ['us', 'kept'],
    ])
    expect(regionSummary(view!.regions.map((r) => ({ ...r, lastRunAt: null })))).toBe('broken in eu, kept in us')

    const alert = await until(() => hooks.find((h) => h.event === 'break.opened'), 'the webhook alert', 30_000)
    expect(alert.message.subject).toBe('Broken in eu: “Order confirmed for every customer”')
    expect(alert.message.text).toContain('broken in eu, kept in us')
    expect(alert.break).toMatchObject({ region: 'eu', regions: 'broken in eu, kept in us' })
  }, 180_000)
})
