import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QUEUES } from '../../src/queue/jobs.ts'
import { RETENTION_SCHEDULER_ID } from '../../src/recorder/retention.ts'
import { startFixtureSite, type FixtureSite } from '../fixtures/site.tsx'
import { kept, startKept, stopKept, type Started } from '../support/kept-process.ts'
import { pause, until } from '../support/wait.ts'
import { startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from './services.ts'

// An operator's worst day, against one `kept start` with its own Postgres
// and Redis (services.ts), which this suite kills and restarts. Each case
// prints its figures. `npm run test:faults`; CI runs it after `npm test`.
// FAULT_PG_OUTAGE_SECONDS shortens the Postgres outage (default 60).

const OUTAGE_SECONDS = Number(process.env.FAULT_PG_OUTAGE_SECONDS ?? 60)
const INTERVAL_SECONDS = 30
const CHECK_SECONDS = 2

interface RunJson {
  id: string
  outcome: string
  startedAt: string
}

describe('faults', { timeout: 300_000 }, () => {
  let pg: OwnPostgres
  let redis: OwnRedis
  let site: FixtureSite
  let dataDir: string
  let started: Started | undefined
  let env: NodeJS.ProcessEnv
  let token: string
  let promiseId: string
  const figures: string[] = []

  const api = async (p: string, init: RequestInit = {}) =>
    fetch(`${started!.url}/api/v1${p}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } })
  const runsOf = async (id: string): Promise<RunJson[]> => {
    const res = await api(`/promises/${id}/runs?limit=100`)
    if (res.status === 503) return []
    expect(res.status, await res.clone().text()).toBe(200)
    return ((await res.json()) as { items: RunJson[] }).items
  }
  const start = async () => {
    started = await startKept(env, ['start', '--no-demo'])
  }

  beforeAll(async () => {
    ;[pg, redis, site] = await Promise.all([startOwnPostgres(), startOwnRedis(), startFixtureSite()])
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-faults-'))
    env = {
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      KEPT_DATA_DIR: dataDir,
      KEPT_SCHEDULE_CHECK_SECONDS: String(CHECK_SECONDS),
      KEPT_WORKER_CONCURRENCY: '1',
    }
    await start()
    env = started!.env
    const created = kept(['token', 'create', '--role', 'admin', '--name', 'faults'], env)
    expect(created.status, created.stderr).toBe(0)
    token = created.stdout.trim()
    const res = await api('/promises', {
      method: 'POST',
      body: JSON.stringify({ title: 'Browse the shop', journey: `go to ${site.url}/quiet`, schedule: { everySeconds: INTERVAL_SECONDS }, techOwner: 'tom@example.com' }),
    })
    expect(res.status, await res.clone().text()).toBe(201)
    promiseId = ((await res.json()) as { id: string }).id
    await until(async () => (await runsOf(promiseId)).length > 0, 'the first walk', 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${started!.output()}`)
    })
  }, 240_000)

  afterAll(async () => {
    console.log(`faults:\n  ${figures.join('\n  ')}`)
    await stopKept(started, 'SIGKILL')
    await Promise.all([redis?.destroy(), pg?.destroy(), site?.close()])
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('Redis restarted empty: every schedule is back within one check, walks go on', async () => {
    const health = async () => (await (await api('/health')).json()) as { ok: boolean; schedules: { expected: number; present: number } }
    expect((await health()).schedules).toMatchObject({ expected: 1, present: 1 })
    const before = (await runsOf(promiseId)).length
    const wipedAt = Date.now()
    await redis.restartEmpty()
    await until(async () => {
      const h = await health().catch(() => null)
      return h?.ok && h.schedules.present === 1
    }, 'the schedules to heal', 30_000)
    const healedMs = Date.now() - wipedAt
    // The other parts' schedulers too (retention here; alert tick and digest alike).
    const probe = new Redis(redis.url, { maxRetriesPerRequest: null })
    const maintenance = new Queue(QUEUES.maintenance, { connection: probe, prefix: env.KEPT_QUEUE_PREFIX })
    expect(await maintenance.getJobScheduler(RETENTION_SCHEDULER_ID)).toBeTruthy()
    await maintenance.close()
    probe.disconnect()
    await until(async () => (await runsOf(promiseId)).length > before, 'a walk after the wipe', (INTERVAL_SECONDS + 30) * 1000)
    const walkedMs = Date.now() - wipedAt
    figures.push(`Redis wiped: schedules healed in ${(healedMs / 1000).toFixed(1)} s (check every ${CHECK_SECONDS} s), next walk recorded ${(walkedMs / 1000).toFixed(1)} s after (interval ${INTERVAL_SECONDS} s)`)
    expect(healedMs).toBeLessThan(INTERVAL_SECONDS * 1000)
  })

  it(`Postgres stopped ${OUTAGE_SECONDS} s: the API answers 503 meanwhile, and no walk is lost`, async () => {
    const walksBefore = site.hits['/quiet'] ?? 0
    const runsBefore = (await runsOf(promiseId)).length
    pg.stop()
    const stoppedAt = Date.now()
    const statuses = new Map<number, number>()
    let slowestMs = 0
    while (Date.now() - stoppedAt < OUTAGE_SECONDS * 1000) {
      const asked = performance.now()
      const status = await api('/promises').then((r) => r.status, () => 0)
      slowestMs = Math.max(slowestMs, performance.now() - asked)
      if (performance.now() - asked > 1000) console.log(`slow answer ${status} in ${Math.round(performance.now() - asked)} ms, ${Math.round((Date.now() - stoppedAt) / 1000)} s into the outage:\n${started!.output().slice(-1500)}`)
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
      await pause(2000)
    }
    const walksDuring = (site.hits['/quiet'] ?? 0) - walksBefore
    pg.start()
    const walks = site.hits['/quiet'] ?? 0
    // Every walk the site saw becomes a run once Postgres is back.
    await until(async () => (await runsOf(promiseId)).length - runsBefore >= walks - walksBefore, 'the walks of the outage to be recorded', 60_000)
    const recorded = (await runsOf(promiseId)).length - runsBefore
    figures.push(
      `Postgres down ${OUTAGE_SECONDS} s: API statuses ${JSON.stringify(Object.fromEntries(statuses))}, slowest answer ${Math.round(slowestMs)} ms; ${walksDuring} walks during the outage, ${walks - walksBefore} walks in all, ${recorded} recorded`,
    )
    expect([...statuses.keys()]).toEqual([503])
    expect(slowestMs).toBeLessThan(6000)
    expect(walksDuring).toBeGreaterThan(0)
    expect(recorded).toBe(walks - walksBefore)
  })

  it('SIGKILL mid-walk: the walk is walked again under the same run id, once', async () => {
    const slow = await api('/promises', {
      method: 'POST',
      body: JSON.stringify({ title: 'A slow page', journey: `go to ${site.url}/slow?ms=6000`, schedule: { everySeconds: 3600 } }),
    })
    const slowId = ((await slow.json()) as { id: string }).id
    await until(async () => (await runsOf(slowId)).length === 1, 'the slow promise’s first walk', 60_000)
    const hitsBefore = site.hits['/slow'] ?? 0
    const { runId } = (await (await api(`/promises/${slowId}/run`, { method: 'POST' })).json()) as { runId: string }
    await until(() => (site.hits['/slow'] ?? 0) > hitsBefore, 'the walk to reach the slow page', 30_000)
    await stopKept(started, 'SIGKILL')
    const killedAt = Date.now()
    await start()
    const run = await until(async () => {
      const res = await api(`/runs/${runId}`)
      return res.ok ? ((await res.json()) as RunJson) : null
    }, 'the killed walk to be walked again', 120_000)
    const recoveredMs = Date.now() - killedAt
    await pause(2000)
    const runs = await runsOf(slowId)
    figures.push(`SIGKILL mid-walk: run ${runId.slice(0, 8)} recorded ${(recoveredMs / 1000).toFixed(1)} s after the kill (${run.outcome}); runs expected 2, recorded ${runs.length}`)
    expect(runs.map((r) => r.id).filter((id) => id === runId)).toHaveLength(1)
    expect(runs).toHaveLength(2)
  })
})
