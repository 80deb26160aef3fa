import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The faults suite kills its own Postgres and Redis for minutes: `npm run test:faults`, run by CI after `npm test`.
    exclude: process.env.KEPT_FAULTS ? configDefaults.exclude : [...configDefaults.exclude, 'test/faults/**'],
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
