import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { startControlPlane } from '../src/app/control-plane.ts'
import { bootRuntime, type Runtime } from '../src/app/runtime.ts'
import { createApiToken } from '../src/auth/tokens.ts'
import { parseEnv } from '../src/config/env.ts'
import { startDemoShop } from '../src/demo/shop.tsx'
import { orderJourney } from './lib/journey.ts'
import { print, sleep, summarize, until, writeResult } from './lib/report.ts'
import { figure, isMain, knob, runCli, type BenchOptions, type BenchReport, type Figure } from './lib/cli.ts'
import { createRedisConnection } from '../src/infra/redis.ts'
import { benchDatabase, benchPrefix, deletePrefix, REDIS_URL } from './lib/services.ts'
import { closeServer } from '../src/infra/close-server.ts'

// Detection time: the whole control plane (startControlPlane, with its
// journey worker) watches the demo shop's order promise every
// DETECTION_INTERVAL seconds (60; 30 for a quick run), confirmation on.
// DETECTION_BREAKS times the shop breaks at a random moment of the
// interval; we time from the break to the break.opened webhook arriving at
// a local receiver, then mend the shop and wait for break.resolved.
// KEPT_ALERT_GROUP_SECONDS is Kept's own setting (default 20 s: alerts wait
// that long to be grouped); DETECTION_GROUP_SECONDS overrides it here.

// Quick (--quick): every 30 s, one break (one sample: its min–max is itself).

/** Set by bench() from DETECTION_INTERVAL and DETECTION_BREAKS, or the quick defaults. */
let INTERVAL = 60
let BREAKS = 5
const GROUP_SECONDS = process.env.DETECTION_GROUP_SECONDS
/** A run with another group window than Kept's default is recorded apart. */
const RESULT_NAME = GROUP_SECONDS === undefined ? 'detection' : `detection-group-${GROUP_SECONDS}s`

interface Delivery {
  at: number
  event: string
  body: { break?: { openedAt?: string }; run?: { startedAt?: string } }
}

async function webhookReceiver() {
  const deliveries: Delivery[] = []
  const server = http.createServer((req, res) => {
    let raw = ''
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', () => {
      const at = Date.now()
      try {
        const body = JSON.parse(raw)
        deliveries.push({ at, event: String(body.event), body })
      } catch {
        // not ours
      }
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kept`,
    deliveries,
    close: () => closeServer(server),
  }
}

export async function bench(options: BenchOptions = {}): Promise<BenchReport> {
  const quick = options.quick === true
  INTERVAL = knob(options, 'DETECTION_INTERVAL', 60, 30, 30, 3600)
  BREAKS = knob(options, 'DETECTION_BREAKS', 5, 1, 1, 50)
  const shop = await startDemoShop({ port: 0 })
  const receiver = await webhookReceiver()
  const database = await benchDatabase('detection')
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-bench-detection-'))
  const prefix = benchPrefix('detection')
  let rt: Runtime | null = null
  try {
    const { token } = await createApiToken(database.db, { name: 'bench', role: 'admin' })
    const env = parseEnv({
      ...process.env,
      DATABASE_URL: database.url,
      REDIS_URL,
      KEPT_QUEUE_PREFIX: prefix,
      KEPT_DATA_DIR: dataDir,
      KEPT_SECRET_KEY: randomBytes(32).toString('base64'),
      KEPT_DEMO: 'false',
      KEPT_WORKER_CONCURRENCY: '2',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...(GROUP_SECONDS !== undefined ? { KEPT_ALERT_GROUP_SECONDS: GROUP_SECONDS } : {}),
    })
    rt = await bootRuntime('kept-bench-detection', env)
    const started = await startControlPlane(rt, { worker: true, demo: false }).catch((error: Error) => error)
    if (started instanceof Error) {
      console.error(`detection: skipped, the control plane does not start: ${started.message}`)
      const skipped = `the control plane does not start: ${started.message}`
      if (options.write !== false) await writeResult(RESULT_NAME, { skipped })
      return { benchmark: 'detection', quick, params: { intervalSeconds: INTERVAL, breaks: BREAKS }, figures: [], skipped }
    }
    return await measure({ url: started.url, groupSeconds: env.KEPT_ALERT_GROUP_SECONDS, token, receiver, shop, database, write: options.write !== false, quick })
  } finally {
    await rt?.lifecycle.stop('benchmark done').catch(() => {})
    const redis = createRedisConnection(REDIS_URL)
    await deletePrefix(redis, prefix)
    await redis.quit()
    await receiver.close()
    await shop.close()
    await database.drop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

interface Measured {
  url: string
  groupSeconds: number
  token: string
  receiver: Awaited<ReturnType<typeof webhookReceiver>>
  shop: Awaited<ReturnType<typeof startDemoShop>>
  database: Awaited<ReturnType<typeof benchDatabase>>
  write: boolean
  quick: boolean
}

async function measure({ url, groupSeconds, token, receiver, shop, database, write, quick }: Measured): Promise<BenchReport> {
  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${url}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    const json = (await response.json()) as Record<string, unknown>
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(json)}`)
    return json
  }

  const channel = await api('POST', '/channels', { type: 'webhook', name: 'bench receiver', config: { url: receiver.url, secret: randomBytes(24).toString('hex') } })
  const promise = await api('POST', '/promises', {
    title: 'Order online in 3 clicks',
    journey: orderJourney(shop.url),
    budgets: { maxClicks: 3, maxSeconds: 60 },
    schedule: { everySeconds: INTERVAL },
    channels: [channel.id],
  })
  const state = async () => (await api('GET', `/promises/${promise.id}`)).state as string
  await until(async () => (await state()) === 'kept', 'the first kept run', (INTERVAL + 60) * 1000, 500)
  console.log(`detection: ${BREAKS} breaks, promise every ${INTERVAL} s, confirmation on, alert group window ${groupSeconds} s\n`)

  const detections: number[] = []
  const toFirstBrokenRun: number[] = []
  for (let i = 0; i < BREAKS; i++) {
    await sleep(Math.random() * INTERVAL * 1000) // a random moment of the interval
    const seen = receiver.deliveries.length
    const brokeAt = Date.now()
    shop.setBroken(true)
    const opened = await until(
      async () => receiver.deliveries.slice(seen).find((d) => d.event === 'break.opened'),
      'the break.opened webhook',
      (INTERVAL * 3 + groupSeconds + 60) * 1000,
      20,
    )
    detections.push((opened.at - brokeAt) / 1000)
    const firstBroken = Date.parse(opened.body.break?.openedAt ?? '')
    if (Number.isFinite(firstBroken)) toFirstBrokenRun.push((firstBroken - brokeAt) / 1000)
    shop.setBroken(false)
    // Quick: the alert is the figure; waiting for the last mend's webhook adds an interval.
    if (!quick || i < BREAKS - 1) await until(
      async () => receiver.deliveries.slice(seen).find((d) => d.event === 'break.resolved'),
      'the break.resolved webhook',
      (INTERVAL * 3 + groupSeconds + 60) * 1000,
      200,
    )
    console.log(`  break ${i + 1}: alert after ${detections.at(-1)!.toFixed(1)} s`)
  }

  const confirmRows = (await database.db.execute(sql`
    select extract(epoch from finished_at - started_at) * 1000 as ms from runs where trigger = 'confirm'`)) as unknown as { ms: number }[]
  const confirmRun = summarize(confirmRows.map((r) => Number(r.ms)))
  const target = INTERVAL + confirmRun.median / 1000 + 5
  console.log()
  print('break → break.opened webhook', summarize(detections), 's', 1)
  print('break → first broken run starts', summarize(toFirstBrokenRun), 's', 1)
  print('confirmation run', confirmRun, 'ms', 0)
  console.log(`target: under interval + confirmation run + 5 s = ${target.toFixed(1)} s; alert group window ${groupSeconds} s`)
  const params = { intervalSeconds: INTERVAL, breaks: BREAKS, confirmation: true, alertGroupSeconds: groupSeconds }
  if (write) {
    await writeResult(RESULT_NAME, {
      params,
      target: { seconds: target },
      detectionSeconds: summarize(detections),
      breakToFirstBrokenRunSeconds: summarize(toFirstBrokenRun),
      confirmationRunMs: confirmRun,
      raw: detections,
    })
  }
  const figures: Figure[] = [
    figure(`detection: break → alert, every ${INTERVAL} s, group window ${groupSeconds} s`, summarize(detections), 's', { op: '<', value: Number(target.toFixed(1)), text: `< ${target.toFixed(1)} s (interval + confirmation run + 5 s)` }),
  ]
  return { benchmark: 'detection', quick, params, figures }
}

if (isMain(import.meta)) await runCli(bench)
