import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { startControlPlane, type ControlPlane } from '../../src/app/control-plane.ts'
import type { Runtime } from '../../src/app/runtime.ts'
import { createUser } from '../../src/auth/users.ts'
import { parseEnv } from '../../src/config/env.ts'
import type { Role } from '../../src/db/schema.ts'
import { loadSecretKey } from '../../src/infra/crypto.ts'
import { Lifecycle } from '../../src/infra/lifecycle.ts'
import { createLogger } from '../../src/infra/logger.ts'
import { CHROMIUM_ARGS } from '../../src/runner/chromium-args.ts'
import { freshDatabase, uniquePrefix } from '../support/db.ts'
import { dropPrefix } from '../support/redis.ts'
import { PASSWORD } from './ui-fixtures.ts'

// The whole of Kept as a person meets it, for one e2e test file: the
// control plane with a journey worker on a fresh database and queue prefix,
// its users, and a Chromium to drive it; all gone after the file.

export const CHROMIUM = process.env.KEPT_CHROMIUM_PATH ?? '/usr/bin/chromium'

/** test-results/screenshots on every run; KEPT_README_SCREENSHOTS=1 refreshes the docs' in docs/screenshots. */
export const SCREENSHOTS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  process.env.KEPT_README_SCREENSHOTS === '1' ? '../../docs/screenshots' : '../../test-results/screenshots',
)

export interface KeptInBrowser {
  pg: Awaited<ReturnType<typeof freshDatabase>>
  kept: ControlPlane
  browser: Browser
}

export function keptInBrowser(label: string, users: { email: string; role: Role }[]): KeptInBrowser {
  const prefix = uniquePrefix(label)
  const e2e = {} as KeptInBrowser
  let dataDir: string | undefined
  let lifecycle: Lifecycle | undefined
  beforeAll(async () => {
    e2e.pg = await freshDatabase()
    for (const user of users) await createUser(e2e.pg.db, { ...user, password: PASSWORD })
    dataDir = await mkdtemp(path.join(os.tmpdir(), `kept-e2e-${label}-`))
    const env = parseEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: e2e.pg.url,
      REDIS_URL: 'redis://127.0.0.1:6379',
      KEPT_DATA_DIR: dataDir,
      KEPT_SECRET_KEY: `e2e-${label}-secret-key-0123456789abcdefghij`,
      KEPT_QUEUE_PREFIX: prefix,
      KEPT_CHROMIUM_PATH: CHROMIUM,
      KEPT_WORKER_CONCURRENCY: '1',
      KEPT_DEMO: '0',
      LOG_LEVEL: 'warn',
    })
    lifecycle = new Lifecycle({ exit: () => {} })
    const rt: Runtime = { env, logger: createLogger(env, 'e2e'), dataDir, secretKey: await loadSecretKey(env, dataDir), lifecycle }
    e2e.kept = await startControlPlane(rt, { worker: true, demo: false })
    e2e.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  }, 120_000)
  afterAll(async () => {
    await e2e.browser?.close()
    await lifecycle?.stop('test done')
    await dropPrefix(prefix)
    await e2e.pg?.drop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  }, 60_000)
  return e2e
}
