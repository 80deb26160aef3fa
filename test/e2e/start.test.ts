import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RECORDERS, resultsKey } from '../../src/queue/results-stream.ts'
import { freshDatabase } from '../support/db.ts'
import { dropPrefix } from '../support/redis.ts'
import { until } from '../support/wait.ts'
import { kept, startKept, stopKept as stop, type Started } from '../support/kept-process.ts'

// `kept start` as a newcomer runs it: a real process, the demo, real
// Postgres and Redis, Chromium. Then the CLI against the running server.

async function obliterate(prefix: string | undefined) {
  if (prefix) await dropPrefix(prefix)
}

describe('kept start with an external Postgres', { timeout: 180_000 }, () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let dataDir: string
  let started: Started | undefined

  beforeAll(async () => {
    pg = await freshDatabase()
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-e2e-'))
    started = await startKept({ DATABASE_URL: pg.url, KEPT_DATA_DIR: dataDir })
  }, 150_000)
  afterAll(async () => {
    await stop(started)
    await obliterate(started?.env.KEPT_QUEUE_PREFIX)
    await pg?.drop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('serves the demo: runs of the three demo promises appear within 60 s', async () => {
    const created = kept(['token', 'create', '--role', 'viewer', '--name', 'e2e'], started!.env)
    expect(created.status, created.stderr).toBe(0)
    const token = created.stdout.trim()
    expect(token).toMatch(/^kept_/)
    const api = (p: string) => fetch(`${started!.url}/api/v1${p}`, { headers: { authorization: `Bearer ${token}` } })

    expect((await fetch(`${started!.url}/api/v1/promises`)).status).toBe(401)
    const list = (await (await api('/promises')).json()) as { items: { id: string; title: string }[] }
    const demo = list.items.filter((p) => ['Order online in 3 clicks', 'Checkout in under a minute', 'Find a store in 2 clicks'].includes(p.title))
    expect(demo).toHaveLength(3)

    for (const promise of demo) {
      const run = await until(
        async () => ((await (await api(`/promises/${promise.id}/runs`)).json()) as { items: { outcome: string; clicks: number }[] }).items[0],
        `a run of "${promise.title}"`,
        60_000,
      )
      expect(run.outcome, `${promise.title}: ${JSON.stringify(run)}`).toMatch(/^(kept|at_risk)$/)
    }
    const order = demo.find((p) => p.title === 'Order online in 3 clicks')!
    const [first] = ((await (await api(`/promises/${order.id}/runs`)).json()) as { items: { clicks: number }[] }).items
    expect(first!.clicks).toBe(3)
  })

  it('stops on SIGTERM within 10 s', async () => {
    const begun = Date.now()
    const code = await stop(started)
    expect(Date.now() - begun).toBeLessThan(10_000)
    expect(code).toBe(0)
  })
})

describe('kept start on the embedded database', { timeout: 180_000 }, () => {
  let dataDir: string
  let started: Started | undefined

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-e2e-pglite-'))
    const env = { ...process.env }
    delete env.DATABASE_URL
    started = await startKept({ ...env, KEPT_DATA_DIR: dataDir, DATABASE_URL: '' })
  }, 150_000)
  afterAll(async () => {
    await stop(started)
    await obliterate(started?.env.KEPT_QUEUE_PREFIX)
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('lets `kept token create` reach the database the server holds', async () => {
    const created = kept(['token', 'create', '--role', 'admin', '--name', 'while-running'], started!.env)
    expect(created.status, created.stderr).toBe(0)
    const res = await fetch(`${started!.url}/api/v1/promises`, { headers: { authorization: `Bearer ${created.stdout.trim()}` } })
    expect(res.status).toBe(200)
  })

  it('stops on Ctrl-C (SIGINT) through every stop hook: the recorder leaves, the database closes', async () => {
    const prefix = started!.env.KEPT_QUEUE_PREFIX!
    const code = await stop(started, 'SIGINT')
    expect(code).toBe(0)
    const redis = new Redis('redis://127.0.0.1:6379')
    try {
      // The recorder's stop hook ran (it comes after the browser's): it left the results group.
      expect(await redis.call('XINFO', 'CONSUMERS', resultsKey(prefix), RECORDERS)).toEqual([])
    } finally {
      redis.disconnect()
    }
  })
})

describe('kept start with a wrong configuration', () => {
  it('fails fast naming REDIS_URL when Redis cannot be reached', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-e2e-bad-'))
    try {
      const begun = Date.now()
      const result = kept(['start'], { ...process.env, REDIS_URL: 'redis://127.0.0.1:1', KEPT_DATA_DIR: dataDir, KEPT_DEMO: '0', PORT: '0', LOG_LEVEL: 'silent' })
      expect(result.status).toBe(1)
      expect(result.stderr).toMatch(/REDIS_URL/)
      expect(Date.now() - begun).toBeLessThan(30_000)
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })

  it('names the variable of a wrong value', () => {
    const result = kept(['start'], { ...process.env, PORT: 'eighty', LOG_LEVEL: 'silent' })
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/PORT/)
  })
})
