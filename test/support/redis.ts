import { Cluster, Redis } from 'ioredis'
import { inject, it } from 'vitest'
import { createRedisConnection, type RedisClient, type RedisTarget } from '../../src/infra/redis.ts'
import type { ClusterNodeAddress } from './redis-cluster.ts'

// The Redis a test file talks to. By default the single Redis on
// 127.0.0.1:6379; in the `redis-cluster` project of vitest.config.ts
// (KEPT_TEST_REDIS=cluster) a real 3-master Redis Cluster started once for
// the run (redis-cluster-setup.ts), so the same files test Kept on both.

declare module 'vitest' {
  export interface ProvidedContext {
    redisClusterNodes: ClusterNodeAddress[]
  }
}

export const onRedisCluster = process.env.KEPT_TEST_REDIS === 'cluster'

/** A case about something else than Redis (Postgres outages, process kills, scale): run on the single Redis only. */
export const itOnSingleRedis = it.skipIf(onRedisCluster)

export const SINGLE_REDIS_URL = 'redis://127.0.0.1:6379'

/** The target of this run: the single Redis, or the cluster's nodes. */
export function testRedisTarget(): RedisTarget {
  return onRedisCluster ? { clusterNodes: inject('redisClusterNodes') } : { url: SINGLE_REDIS_URL }
}

/** A connection to this run's Redis, as Kept makes them (`worker` for BullMQ workers and blocking reads). */
export function testRedis(options: { worker?: boolean } = {}): RedisClient {
  return createRedisConnection(testRedisTarget(), options)
}

/** Environment that points a Kept process at this run's Redis. */
export function testRedisEnv(): Record<string, string> {
  const target = testRedisTarget()
  return 'url' in target ? { REDIS_URL: target.url } : { REDIS_CLUSTER_NODES: target.clusterNodes.map((n) => `${n.host}:${n.port}`).join(',') }
}

/** Deletes every Redis key under a prefix: the queues, the results stream and the tries a test left (on every master of a cluster). */
export async function dropPrefix(prefix: string, target: RedisTarget | string = testRedisTarget()): Promise<void> {
  const client = createRedisConnection(typeof target === 'string' ? { url: target } : target, { worker: true })
  try {
    const nodes = client instanceof Cluster ? await mastersOf(client) : [client]
    for (const node of nodes) {
      let cursor = '0'
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${escapeGlob(prefix)}:*`, 'COUNT', 1000)
        cursor = next
        // One key at a time on a cluster: the keys of a prefix without a hash tag lie in many slots.
        if (keys.length > 0) await (client instanceof Cluster ? Promise.all(keys.map((key) => client.del(key))) : client.del(...keys))
      } while (cursor !== '0')
    }
  } finally {
    client.disconnect()
  }
}

async function mastersOf(cluster: Cluster): Promise<Redis[]> {
  if (cluster.status !== 'ready') await new Promise((resolve) => cluster.once('ready', resolve))
  return cluster.nodes('master')
}

/** SCAN's MATCH is a glob: a prefix's own characters must match as themselves. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`)
}
