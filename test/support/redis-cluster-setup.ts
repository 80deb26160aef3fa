import type { TestProject } from 'vitest/node'
import { startRedisCluster } from './redis-cluster.ts'

// globalSetup of the `redis-cluster` project (vitest.config.ts): one
// 3-master cluster with a replica each for every file of the project;
// files keep apart by their hash-tagged prefixes (uniquePrefix).
export default async function setup(project: TestProject) {
  const started = Date.now()
  const cluster = await startRedisCluster()
  console.log(`redis-cluster project: a 3-master cluster on ${cluster.env}, up in ${Date.now() - started} ms`)
  project.provide('redisClusterNodes', cluster.nodes)
  return () => cluster.stop()
}
