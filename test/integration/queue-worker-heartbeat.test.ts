import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { workerHealthApp } from '../../src/app/worker-health.ts'
import { createRedisConnection, type RedisClient } from '../../src/infra/redis.ts'
import { startWorkerHeartbeat, workerKey } from '../../src/queue/worker-heartbeat.ts'
import { uniquePrefix } from '../support/db.ts'
import { dropPrefix, testRedis } from '../support/redis.ts'
import { pause, until } from '../support/wait.ts'

// A journey worker's heartbeat in Redis and the probes it answers.

describe('worker heartbeat', () => {
  let redis: RedisClient
  const prefix = uniquePrefix('heartbeat')

  beforeAll(() => {
    redis = testRedis()
  })
  afterAll(async () => {
    await dropPrefix(prefix)
    redis?.disconnect()
  })

  it('keeps <prefix>:workers:<region>:<id> alive with a TTL, removes it on stop, and answers the probes', async () => {
    let ticks = 0
    const heartbeat = startWorkerHeartbeat({ redis, prefix, region: 'eu', workerId: 'host-1:42', concurrency: 2, everyMs: 100, ttlSeconds: 2, onTick: () => ticks++ })
    let stopping = false
    const app = workerHealthApp(heartbeat, { workerId: 'host-1:42', region: 'eu' }, () => stopping)
    const key = workerKey(prefix, 'eu', 'host-1:42')
    expect(key).toBe(`${prefix}:workers:eu:host-1:42`)
    try {
      const beat = JSON.parse((await until(() => redis.get(key), 'the first beat'))!)
      expect(beat).toMatchObject({ workerId: 'host-1:42', region: 'eu', concurrency: 2, pid: process.pid })
      expect(await redis.ttl(key)).toBeGreaterThan(0)
      expect(await redis.ttl(key)).toBeLessThanOrEqual(2)
      await pause(350)
      expect(ticks).toBeGreaterThanOrEqual(3)
      expect(Date.parse(JSON.parse((await redis.get(key))!).at)).toBeGreaterThan(Date.parse(beat.at)) // renewed

      const ready = await app.request('/readyz')
      expect(ready.status).toBe(200)
      expect(await ready.json()).toMatchObject({ ok: true, region: 'eu', workerId: 'host-1:42' })
      expect((await app.request('/livez')).status).toBe(200)

      stopping = true
      const leaving = await app.request('/readyz')
      expect(leaving.status).toBe(503)
      expect(await leaving.json()).toMatchObject({ ok: false, reason: 'stopping' })
      expect((await app.request('/livez')).status).toBe(200) // alive while it stops
    } finally {
      await heartbeat.stop()
    }
    expect(await redis.exists(key)).toBe(0)
    const ticksAfterStop = ticks
    await pause(250)
    expect(ticks).toBe(ticksAfterStop)
  })

  it('is not ready while no beat reaches Redis, but alive', async () => {
    const away = createRedisConnection('redis://127.0.0.1:1', { worker: true })
    away.on('error', () => {})
    const heartbeat = startWorkerHeartbeat({ redis: away, prefix, region: 'local', workerId: 'cut-off', concurrency: 1, everyMs: 100 })
    try {
      const app = workerHealthApp(heartbeat, { workerId: 'cut-off', region: 'local' }, () => false)
      await pause(300)
      const ready = await app.request('/readyz')
      expect(ready.status).toBe(503)
      expect(await ready.json()).toMatchObject({ ok: false, lastBeatAt: null, reason: 'no heartbeat reached Redis yet' })
      expect((await app.request('/livez')).status).toBe(200)
    } finally {
      await heartbeat.stop() // bounded: Redis is away
      away.disconnect()
    }
  })
})
