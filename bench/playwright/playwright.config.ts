import os from 'node:os'
import path from 'node:path'
import { defineConfig } from '@playwright/test'
import { MACHINE_ARGS } from '../../src/runner/chromium-args.ts'

// How a team runs its journeys without Kept: @playwright/test, started by
// cron. The defaults of `npm init playwright`, on the system Chromium.

export default defineConfig({
  testDir: '.',
  testMatch: 'order.spec.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: 'dot',
  outputDir: path.join(os.tmpdir(), 'kept-bench-playwright-results'),
  use: {
    browserName: 'chromium',
    trace: 'on-first-retry',
    launchOptions: {
      executablePath: process.env.KEPT_CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: MACHINE_ARGS,
    },
  },
})
