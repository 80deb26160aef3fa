import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisConnection, resolveRedis, sharedRedisTarget } from '../../src/infra/redis.ts'
import { maskUrl, StartupError } from '../../src/infra/startup-error.ts'
import { uniquePrefix } from '../support/db.ts'

let dataDir: string
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-redis-'))
})
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

describe('resolveRedis', () => {
  it('fails fast on an unreachable REDIS_URL, naming the variable and hiding the password', async () => {
    const failure = await resolveRedis({ REDIS_URL: 'redis://:hunter2@127.0.0.1:1' }, dataDir).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(StartupError)
    const error = failure as StartupError
    expect(error.variable).toBe('REDIS_URL')
    expect(error.message).toMatch(/cannot reach redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/)
    expect(error.message).not.toContain('hunter2')
    expect(error.hint).toBeTruthy()
  })

  it('uses REDIS_URL when it answers', async () => {
    const redis = await resolveRedis({ REDIS_URL: 'redis://127.0.0.1:6379' }, dataDir)
    expect(redis.source).toBe('env')
    await redis.stop()
  })

  it('finds the Redis on 127.0.0.1:6379 when REDIS_URL is not set', async () => {
    const redis = await resolveRedis({}, dataDir)
    expect(redis).toMatchObject({ target: { url: 'redis://127.0.0.1:6379' }, source: 'local' })
    await redis.stop()
  })

  it('starts a private redis-server that keeps its data across restarts and stops', async () => {
    const key = `${uniquePrefix('redis')}:kept`
    const first = await resolveRedis({}, dataDir, undefined, { skipLocal: true })
    expect(first.source).toBe('private')
    const firstUrl = (first.target as { url: string }).url
    expect(firstUrl).not.toBe('redis://127.0.0.1:6379')
    const writer = createRedisConnection(firstUrl)
    await writer.set(key, 'promise')
    writer.disconnect()
    await first.stop()

    const gone = await resolveRedis({ REDIS_URL: firstUrl }, dataDir).catch((error: unknown) => error)
    expect(gone).toBeInstanceOf(StartupError)

    const second = await resolveRedis({}, dataDir, undefined, { skipLocal: true })
    try {
      const reader = createRedisConnection(second.target, { worker: true })
      expect(await reader.get(key)).toBe('promise')
      expect((reader.options as { maxRetriesPerRequest?: number | null }).maxRetriesPerRequest).toBeNull()
      reader.disconnect()
    } finally {
      await second.stop()
    }
  })
})

describe('REDIS_CLUSTER_NODES that is not a Redis Cluster', () => {
  const refusals = [
    {
      name: 'a plain Redis, even with a REDIS_URL beside it',
      env: { REDIS_CLUSTER_NODES: [{ host: '127.0.0.1', port: 6379 }], REDIS_URL: 'redis://127.0.0.1:6379' },
      message: /127\.0\.0\.1:6379 is a Redis without cluster mode \(cluster_enabled:0\)/,
      hint: /REDIS_URL instead/,
    },
    {
      name: 'nodes nothing answers on',
      env: { REDIS_CLUSTER_NODES: [{ host: '127.0.0.1', port: 1 }, { host: '127.0.0.1', port: 2 }] },
      message: /cannot reach any node of the Redis Cluster \(127\.0\.0\.1:1: connect ECONNREFUSED 127\.0\.0\.1:1; 127\.0\.0\.1:2: connect ECONNREFUSED/,
      hint: /hosts and ports/,
    },
  ]

  it.each(refusals)('refuses $name at start, naming REDIS_CLUSTER_NODES', async ({ env, message, hint }) => {
    for (const attempt of [() => resolveRedis(env, dataDir), () => sharedRedisTarget(env)]) {
      const failure = await attempt().catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(StartupError)
      expect(failure).toMatchObject({ variable: 'REDIS_CLUSTER_NODES', message: expect.stringMatching(message), hint: expect.stringMatching(hint) })
    }
  })
})

describe('resolveRedis without any Redis', () => {
  it('says how to get Redis when redis-server is not installed', async () => {
    const savedPath = process.env.PATH
    process.env.PATH = path.join(dataDir, 'empty-bin')
    try {
      const failure = await resolveRedis({}, dataDir, undefined, { skipLocal: true }).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(StartupError)
      expect((failure as StartupError).variable).toBe('REDIS_URL')
      expect((failure as StartupError).hint).toMatch(/docker compose up -d redis.*apt-get install redis-server.*brew install redis/)
    } finally {
      process.env.PATH = savedPath
    }
  })

  it('ends a private redis-server left behind by a killed Kept before starting its own', async () => {
    const dir = path.join(dataDir, 'orphan', 'redis')
    await mkdir(dir, { recursive: true })
    const orphan = spawn('redis-server', ['--port', '0', '--unixsocket', path.join(dir, 'r.sock'), '--daemonize', 'no', '--pidfile', path.join(dir, 'redis.pid'), '--dir', dir], { stdio: 'ignore' })
    const orphanExit = new Promise((resolve) => orphan.once('exit', resolve))
    // redis-server writes its pid file once it runs
    for (let tries = 0; !existsSync(path.join(dir, 'redis.pid')) && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }

    const redis = await resolveRedis({}, path.join(dataDir, 'orphan'), undefined, { skipLocal: true })
    try {
      await orphanExit
      expect(orphan.exitCode !== null || orphan.signalCode !== null).toBe(true)
    } finally {
      await redis.stop()
    }
  })
})

describe('maskUrl', () => {
  it('hides only the password', () => {
    expect(maskUrl('redis://kept:s3cret@redis.internal:6380/2')).toBe('redis://kept:***@redis.internal:6380/2')
    expect(maskUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379')
  })
})
