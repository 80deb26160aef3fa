import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Cluster } from 'ioredis'
import { EVIDENCE_CHUNK_BYTES, dropEvidence, evidenceChunksKey, receiveEvidence, sendEvidence } from '../../src/evidence/transport.ts'
import type { RedisClient } from '../../src/infra/redis.ts'
import { uniquePrefix } from '../support/db.ts'
import { dropPrefix, onRedisCluster, testRedis } from '../support/redis.ts'

// Evidence from a journey worker to the control plane through Redis, in
// chunks: on the single Redis and (vitest project redis-cluster) on a real
// 3-master cluster, where every key lies in the prefix's hash-tag slot.

describe('evidence through Redis', () => {
  let redis: RedisClient
  let prefix: string
  beforeAll(() => {
    redis = testRedis({ worker: true })
    prefix = uniquePrefix('evidence-transport')
  })
  afterAll(async () => {
    await dropPrefix(prefix)
    redis?.disconnect()
  })

  it('a file bigger than a chunk arrives whole, each key with a TTL, and is gone once dropped', async () => {
    const file = randomBytes(EVIDENCE_CHUNK_BYTES * 2 + 12345)
    const key = 'run-1/trace.zip'
    await sendEvidence(redis, prefix, key, file, 600)
    const list = evidenceChunksKey(prefix, key)
    expect(await redis.llen(list)).toBe(3)
    // No answer of Redis is bigger than a chunk.
    for (const chunk of await redis.lrangeBuffer(list, 0, -1)) expect(chunk.length).toBeLessThanOrEqual(EVIDENCE_CHUNK_BYTES)
    for (const k of [list, `${list}:bytes`]) {
      const ttl = await redis.ttl(k)
      expect(ttl).toBeGreaterThan(590)
      expect(ttl).toBeLessThanOrEqual(600)
    }
    expect((await receiveEvidence(redis, prefix, key))!.equals(file)).toBe(true)

    await dropEvidence(redis, prefix, [key])
    expect(await redis.exists(list, `${list}:bytes`)).toBe(0)
    expect(await receiveEvidence(redis, prefix, key)).toBeNull()
  })

  it('sent again (a retried job), a file replaces the first, never appends to it', async () => {
    const key = 'run-2/screenshot.png'
    await sendEvidence(redis, prefix, key, randomBytes(EVIDENCE_CHUNK_BYTES + 1))
    const second = randomBytes(100)
    await sendEvidence(redis, prefix, key, second)
    expect((await receiveEvidence(redis, prefix, key))!.equals(second)).toBe(true)
  })

  it('a file whose chunks are partly gone is refused, not stored short', async () => {
    const key = 'run-3/trace.zip'
    await sendEvidence(redis, prefix, key, randomBytes(EVIDENCE_CHUNK_BYTES + 10))
    await redis.rpop(evidenceChunksKey(prefix, key))
    await expect(receiveEvidence(redis, prefix, key)).rejects.toThrow(/is 524288 bytes in Redis, not the 524298 sent/)
  })

  it.runIf(onRedisCluster)('on a cluster, every key of a run lies in the slot of the prefix', async () => {
    const cluster = redis as Cluster
    const key = 'run-4/screenshot.png'
    await sendEvidence(redis, prefix, key, randomBytes(10))
    const slotOf = async (k: string) => (await cluster.call('CLUSTER', 'KEYSLOT', k)) as number
    const slot = await slotOf(`${prefix}:results`)
    expect(await slotOf(evidenceChunksKey(prefix, key))).toBe(slot)
    expect(await slotOf(`${evidenceChunksKey(prefix, key)}:bytes`)).toBe(slot)
  })
})
