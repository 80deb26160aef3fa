import { spawnSync } from 'node:child_process'
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'

// The suites that run a second time on a real Redis Cluster (test/support/redis.ts),
// with what is cluster-only in test/cluster: the failover, whose walks in Chromium
// stand for the journeys suite there (two Chromium files at once are too many for two cores).
const ON_REDIS_CLUSTER = [
  'test/integration/queue-scheduler.test.ts',
  'test/integration/queue-schedule-keeper.test.ts',
  'test/integration/queue-metrics.test.ts',
  'test/integration/queue-worker-heartbeat.test.ts',
  'test/integration/recorder-record.test.ts',
  'test/integration/alerts-delivery.test.ts',
  'test/integration/evidence-transport.test.ts',
  'test/integration/regions.test.ts',
  'test/cluster/**/*.test.ts',
]

const clusterMissing = ['redis-server', 'redis-cli'].find((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0)
if (clusterMissing) console.warn(`vitest: the redis-cluster project is skipped: ${clusterMissing} is not installed (apt-get install redis-server)`)

const projects: TestProjectInlineConfiguration[] = [
  {
    extends: true,
    test: {
      name: 'kept',
      include: ['test/**/*.test.ts'],
      // The faults suite kills its own Postgres and Redis for minutes: `npm run test:faults`, run by CI after `npm test`.
      exclude: [...configDefaults.exclude, 'test/cluster/**', ...(process.env.KEPT_FAULTS ? [] : ['test/faults/**'])],
    },
  },
]
if (!clusterMissing) {
  projects.push({
    extends: true,
    test: {
      name: 'redis-cluster',
      include: ON_REDIS_CLUSTER,
      env: { KEPT_TEST_REDIS: 'cluster' },
      globalSetup: ['test/support/redis-cluster-setup.ts'],
    },
  })
}

export default defineConfig({
  test: {
    projects,
    pool: 'forks',
    // Two cores: Chromium-heavy files must not all run at once.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CI also writes a JSON report, summarised by .ci/run.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results/vitest.json' },
  },
})
