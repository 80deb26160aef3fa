import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Hono } from 'hono'
import { createApiApp, type ApiDeps } from '../../src/api/app.ts'
import { createSession } from '../../src/auth/sessions.ts'
import { createApiToken } from '../../src/auth/tokens.ts'
import { createUser } from '../../src/auth/users.ts'
import type { Role } from '../../src/db/schema.ts'
import type { PromiseScheduler } from '../../src/queue/scheduler-port.ts'
import { freshDatabase } from '../support/db.ts'

// The API mounted at /api as the HTTP app mounts it, on a fresh database,
// with a scheduler and side effects that only record their calls (the
// scheduler has its own tests against Redis).

export interface SchedulerCall {
  method: 'sync' | 'remove' | 'runNow'
  promiseId: string
}

export function recordingScheduler(): PromiseScheduler & { calls: SchedulerCall[] } {
  const calls: SchedulerCall[] = []
  return {
    calls,
    async sync(promiseId) {
      calls.push({ method: 'sync', promiseId })
    },
    async remove(promiseId) {
      calls.push({ method: 'remove', promiseId })
    },
    async runNow(promiseId) {
      calls.push({ method: 'runNow', promiseId })
      return '00000000-0000-4000-8000-000000000001'
    },
  }
}

export type Harness = Awaited<ReturnType<typeof apiHarness>>

export async function apiHarness(overrides: Partial<ApiDeps> = {}) {
  const database = await freshDatabase()
  const dataDir = await mkdtemp(path.join(tmpdir(), 'kept-api-'))
  const scheduler = recordingScheduler()
  const channelTests: string[] = []
  const deps: ApiDeps = {
    db: database.db,
    scheduler,
    secretKey: randomBytes(32),
    dataDir,
    health: async () => ({ ok: true, database: { ok: true } }),
    testChannel: async (id) => {
      channelTests.push(id)
    },
    previewDigest: async (week) => ({ week, promises: [] }),
    ...overrides,
  }
  const http = new Hono()
  // As createHttpApp does: every successful change clears the read cache.
  if (deps.readCache) http.use(deps.readCache.invalidator)
  http.route('/api', createApiApp(deps))

  const tokens = {} as Record<Role, string>
  for (const role of ['admin', 'marketing', 'tech', 'viewer'] as const) {
    tokens[role] = (await createApiToken(database.db, { name: `${role}-token`, role })).token
  }

  async function call(
    method: string,
    url: string,
    options: { as?: Role | null; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers }
    const as = options.as === undefined ? 'admin' : options.as
    if (as) headers.authorization = `Bearer ${tokens[as]}`
    let body: string | undefined
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json'
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
    }
    return http.request(url, { method, headers, body })
  }

  /** A signed-in user of this role: its cookie header and CSRF token. */
  async function session(role: Role) {
    const user = await createUser(database.db, { email: `${role}-${randomBytes(3).toString('hex')}@example.com`, password: 'password-1', role })
    const s = await createSession(database.db, user.id)
    return { user, cookie: `kept_session=${s.cookieValue}`, csrfToken: s.csrfToken }
  }

  return {
    db: database.db,
    deps,
    http,
    scheduler,
    channelTests,
    dataDir,
    tokens,
    call,
    session,
    async close() {
      await database.drop()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

export const journey = 'go to http://127.0.0.1:4100/\nclick "Shop now"\nexpect "Order confirmed"'

export const promiseBody = (over: Record<string, unknown> = {}) => ({
  title: 'Order online in 3 clicks',
  journey,
  budgets: { maxClicks: 3, maxSeconds: 60 },
  schedule: { everySeconds: 60 },
  dailyCustomers: 1200,
  marketingOwner: 'ana@example.com',
  techOwner: 'tom@example.com',
  ...over,
})
