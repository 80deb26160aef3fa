import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Cluster } from 'ioredis'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeServer } from '../../src/infra/close-server.ts'
import { promises, runRollups, runs } from '../../src/db/schema.ts'
import { createRedisConnection, resolveRedis } from '../../src/infra/redis.ts'
import { publishResult, resultsKey } from '../../src/queue/results-stream.ts'
import { buildSpec } from '../../src/queue/spec.ts'
import { tryJourney } from '../../src/queue/try-journey.ts'
import { ScheduleKeeper } from '../../src/queue/schedule-keeper.ts'
import { startWorkerHeartbeat } from '../../src/queue/worker-heartbeat.ts'
import { journeyPipeline } from '../support/pipeline.ts'
import { startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.ts'
import { until } from '../support/wait.ts'

// Kept on a Redis Cluster that loses a master in the middle of a run of
// walks: the master serving Kept's slot is killed (SIGKILL, as a crashed
// machine), its replica is promoted, and every walk asked for is recorded
// once, through the journeys queue, the worker, the results stream and the
// recorder. One walk is held at its last page until the master is dead, so
// its worker publishes the result and completes the job while the cluster
// has no master for Kept's slot. Its own cluster: the one of the
// redis-cluster project serves the other files meanwhile.

// A walk takes 1 to 4 s of Chromium on two busy cores: enough to kill the master mid-run, few enough to stay within a minute.
const WALKS = 8

describe('a Redis Cluster failover in the middle of a run', () => {
  let cluster: TestRedisCluster
  beforeAll(async () => {
    // A master is failed after 1 s without an answer: its slots have no master for ~2-3 s,
    // longer than ioredis' default retries last (16 redirections 100 ms apart).
    cluster = await startRedisCluster({ nodeTimeoutMs: 1000 })
  })
  afterAll(async () => {
    await cluster?.stop()
  })
  const pipe = journeyPipeline('failover', () => ({ clusterNodes: cluster.nodes }))
  const site = gatedSite()
  beforeAll(() => site.start())
  afterAll(() => site.close())

  it('takes REDIS_CLUSTER_NODES for a cluster, even with a REDIS_URL beside it', async () => {
    const resolved = await resolveRedis({ REDIS_CLUSTER_NODES: cluster.nodes, REDIS_URL: 'redis://127.0.0.1:1' }, '/nonexistent')
    expect(resolved).toMatchObject({ source: 'cluster', target: { clusterNodes: cluster.nodes } })
    expect(pipe.prefix).toMatch(/^\{kept-test-failover-[0-9a-f]+\}$/)
  })

  it('walks a "try it now" through the queue and reads it back, recording nothing', { timeout: 60_000 }, async () => {
    const [promise] = await pipe.pg.db
      .insert(promises)
      .values({ title: 'Try the shop', journey: [`go to ${site.url}/`, 'click "Shop now"', 'expect "Espresso cup"'].join('\n') })
      .returning()
    const result = await tryJourney({ journeys: pipe.journeys, redis: pipe.redis, prefix: pipe.prefix }, await buildSpec(pipe.pg.db, promise!), { timeoutMs: 50_000, pollMs: 50 })
    expect(result).toMatchObject({ promiseId: promise!.id, trigger: 'test', outcome: 'kept', clicks: 1 })
    expect(await pipe.pg.db.select().from(runs).where(eq(runs.promiseId, promise!.id))).toEqual([])
  })

  it(`records each of ${WALKS} walks once while the master of Kept's slot is killed and its replica takes over; no key outside the prefix`, { timeout: 120_000 }, async () => {
    const [promise] = await pipe.pg.db
      .insert(promises)
      .values({
        title: 'Find the espresso cup in 1 click',
        journey: [`go to ${site.url}/`, 'click "Shop now"', 'expect "Espresso cup"'].join('\n'),
        budgets: { maxClicks: 1 },
      })
      .returning()
    // The schedule keeper's marker and a worker's heartbeat write keys too.
    const keeper = new ScheduleKeeper({ scheduler: pipe.scheduler, redis: pipe.redis, prefix: pipe.prefix, parts: [], everyMs: 1000 })
    await keeper.check()
    const heartbeat = startWorkerHeartbeat({ redis: pipe.redis, prefix: pipe.prefix, region: 'local', workerId: 'in-test', concurrency: 1, everyMs: 500 })

    const started = Date.now()
    const asked: string[] = []
    for (let i = 0; i < WALKS; i++) asked.push(await pipe.scheduler.runNow(promise!.id))
    const master = await cluster.masterOf(pipe.prefix)
    // What Kept was told is stored is on the replica too (Redis replicates asynchronously:
    // a write acknowledged in the last milliseconds before a crash can be lost, by design).
    await cluster.replicated(master)

    const recorded = async () => (await pipe.pg.db.select({ id: runs.id, outcome: runs.outcome }).from(runs).where(eq(runs.promiseId, promise!.id)))
    await until(async () => (await recorded()).length >= WALKS / 4, 'a quarter of the walks', 60_000)
    const held = site.hold()
    await held.reached
    const beforeKill = (await recorded()).length
    const killedAt = Date.now()
    await cluster.kill(master)
    held.release() // the walk ends now: its result is published while no master serves the slot
    const promoted = await cluster.waitForFailover(pipe.prefix, master)
    const failoverMs = Date.now() - killedAt

    await until(async () => (await recorded()).length >= WALKS, `all ${WALKS} walks recorded`, 90_000)
    const rows = await recorded()
    console.log(
      `failover: ${WALKS} walks asked, ${beforeKill} recorded before the kill of 127.0.0.1:${master}, ` +
        `127.0.0.1:${promoted} took over in ${failoverMs} ms, ${rows.length} recorded in all after ${Date.now() - started} ms`,
    )
    expect(rows.map((r) => r.id).sort()).toEqual([...asked].sort())
    expect(rows.every((r) => r.outcome === 'kept')).toBe(true)
    // Counted once each in the hourly figures too.
    const [rollup] = await pipe.pg.db.select({ runs: sql<number>`sum(${runRollups.runs})`.mapWith(Number) }).from(runRollups).where(eq(runRollups.promiseId, promise!.id))
    expect(rollup?.runs).toBe(WALKS)
    // Nothing left behind: every job done, every result acknowledged.
    await until(async () => (await pipe.journeys.getJobCounts('waiting', 'active')).active === 0, 'no job left active', 30_000)
    expect(await pipe.journeys.getJobCounts('waiting', 'active', 'failed')).toEqual({ waiting: 0, active: 0, failed: 0 })
    expect(await pipe.redis.xlen(`${pipe.prefix}:results`)).toBe(0)

    await keeper.check()
    await heartbeat.stop()
    const keys = await allKeys(cluster)
    expect(keys.length).toBeGreaterThan(0)
    expect(keys.filter((key) => !key.startsWith(`${pipe.prefix}:`))).toEqual([])
  })

  it('a worker connection publishes a result sent while a master is dead once its replica takes over, instead of failing', { timeout: 60_000 }, async () => {
    // Another master than Kept's, which lost its replica in the test above: a prefix of its slot.
    const kept = await cluster.masterOf(pipe.prefix)
    let prefix = ''
    for (let i = 0; !prefix; i++) {
      const candidate = `{kept-test-failover-${i}}`
      if ((await cluster.masterOf(candidate)) !== kept) prefix = candidate
    }
    const master = await cluster.masterOf(prefix)
    const worker = createRedisConnection({ clusterNodes: cluster.nodes }, { worker: true })
    try {
      await worker.set(`${prefix}:warm`, '1') // the client knows the slots
      await cluster.kill(master)
      const sentAt = Date.now()
      const published = publishResult(worker, prefix, { runId: 'sent-while-dead' } as never)
      const promoted = await cluster.waitForFailover(prefix, master)
      const entryId = await published
      console.log(`a result sent while 127.0.0.1:${master} was dead: published after ${Date.now() - sentAt} ms, on 127.0.0.1:${promoted}`)
      expect(await worker.xrange(resultsKey(prefix), '-', '+')).toEqual([[entryId, ['result', JSON.stringify({ runId: 'sent-while-dead' })]]])
    } finally {
      worker.disconnect()
    }
  })
})

/** A shop of two pages whose second page can be held until the test lets it go. */
function gatedSite() {
  let server: Server
  let gate: { arrived: () => void; waiting: Promise<void> } | null = null
  const site = {
    url: '',
    async start() {
      server = createServer(async (req, res) => {
        if (req.url === '/cup') {
          const current = gate
          gate = null
          if (current) {
            current.arrived()
            await current.waiting
          }
          return page(res, '<h1>Espresso cup</h1>')
        }
        page(res, '<h1>Coffee shop</h1><a href="/cup">Shop now</a>')
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      site.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    },
    /** The next walk to ask for the second page waits there until release(). */
    hold() {
      let arrived!: () => void
      let release!: () => void
      const reached = new Promise<void>((resolve) => (arrived = resolve))
      gate = { arrived, waiting: new Promise<void>((resolve) => (release = resolve)) }
      return { reached, release }
    },
    close: () => closeServer(server),
  }
  return site
}

function page(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>Shop</title>${body}`)
}

/** Every key on every live master of the cluster. */
async function allKeys(cluster: TestRedisCluster): Promise<string[]> {
  const client = createRedisConnection({ clusterNodes: cluster.nodes }) as Cluster
  try {
    await client.ping()
    const keys: string[] = []
    for (const node of client.nodes('master')) {
      let cursor = '0'
      do {
        const [next, found] = await node.scan(cursor, 'COUNT', 1000)
        cursor = next
        keys.push(...found)
      } while (cursor !== '0')
    }
    return keys
  } finally {
    client.disconnect()
  }
}
