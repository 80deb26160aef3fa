import { randomBytes, randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Hono } from 'hono'
import { createApiApp } from '../../src/api/app.ts'
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.ts'
import { createUser } from '../../src/auth/users.ts'
import type { Db } from '../../src/db/client.ts'
import { alertDeliveries, breaks, channels, promises, runRollups, runs, type Role } from '../../src/db/schema.ts'
import { demoPromises } from '../../src/demo/seed.ts'
import type { RunResult } from '../../src/domain/run.ts'
import type { JourneySpec } from '../../src/queue/jobs.ts'
import type { PromiseScheduler } from '../../src/queue/scheduler-port.ts'
import { pageRoutes } from '../../src/ui/app.tsx'

// Shared by the pages' integration, accessibility and end-to-end tests.

export const PASSWORD = 'password-1'

export interface Signed {
  email: string
  userId: string
  cookie: string
  csrf: string
}

/** One user per role, each with a session ready to use. */
export async function usersByRole(db: Db, tag = 'x'): Promise<Record<Role, Signed>> {
  const out = {} as Record<Role, Signed>
  for (const role of ['admin', 'marketing', 'tech', 'viewer'] as const) {
    const email = `${role}-${tag}@example.com`
    const user = await createUser(db, { email, password: PASSWORD, role })
    const session = await createSession(db, user.id)
    out[role] = { email, userId: user.id, cookie: `${SESSION_COOKIE}=${session.cookieValue}`, csrf: session.csrfToken }
  }
  return out
}

/** A scheduler that only remembers what it was asked. */
export function recordingScheduler(): PromiseScheduler & { calls: string[] } {
  const calls: string[] = []
  return {
    calls,
    async sync(id) {
      calls.push(`sync:${id}`)
    },
    async remove(id) {
      calls.push(`remove:${id}`)
    },
    async runNow(id) {
      calls.push(`run:${id}`)
      return randomUUID()
    },
  }
}

// A 1×1 PNG: enough for an <img> to load.
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaGD4DwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
)

/** A tryJourney that "walks" every line as passed, with a screenshot on disk. */
export function fakeTry(dataDir: string) {
  const specs: JourneySpec[] = []
  const fn = async (spec: JourneySpec): Promise<RunResult> => {
    specs.push(spec)
    const runId = randomUUID()
    const rel = `${runId}/screenshot.png`
    await mkdir(path.join(dataDir, 'evidence', runId), { recursive: true })
    await writeFile(path.join(dataDir, 'evidence', rel), PIXEL)
    const lines = (spec.journey ?? '').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'))
    const now = new Date()
    return {
      runId,
      promiseId: spec.promiseId,
      trigger: 'test',
      outcome: 'kept',
      clicks: lines.filter((l) => l.startsWith('click')).length,
      durationMs: 1234,
      startedAt: now.toISOString(),
      finishedAt: now.toISOString(),
      steps: lines.map((text, i) => ({ line: i + 1, text, outcome: 'passed' as const, durationMs: 200 + i, clicks: text.startsWith('click') ? 1 : 0 })),
      failure: null,
      vitals: {},
      screenshotPath: rel,
      tracePath: null,
      workerId: 'fake',
    }
  }
  return Object.assign(fn, { specs })
}

const HOUR = 3_600_000

/**
 * A lived-in installation: the three demo promises plus a few more, 30 days
 * of hourly rollups, recent runs with steps, a resolved and an open break,
 * and two channels. For screenshots and accessibility checks.
 */
export async function seedShowcase(db: Db, shopUrl = 'http://127.0.0.1:4100', now = new Date()) {
  const extra = [
    { title: 'Find a product in 2 searches', journey: `go to ${shopUrl}/\nclick "Shop now"\nexpect "Espresso cup"`, budgets: { maxClicks: 2 } },
    { title: 'Sign up for the newsletter in 30 seconds', journey: `go to ${shopUrl}/\nexpect "Demo Coffee Shop"`, budgets: { maxSeconds: 30 } },
  ]
  const rows = await db
    .insert(promises)
    .values([
      ...demoPromises(shopUrl),
      ...extra.map((e) => ({ ...e, source: 'form' as const, marketingOwner: 'ana@example.com', techOwner: 'tom@example.com', scheduleEverySeconds: 300 })),
    ])
    .returning()
  const [order, checkout, store, search, newsletter] = rows as [typeof rows[0], typeof rows[0], typeof rows[0], typeof rows[0], typeof rows[0]]
  const hour0 = Math.floor(now.getTime() / HOUR) * HOUR
  const rollups: (typeof runRollups.$inferInsert)[] = []
  rows.forEach((p, pi) => {
    for (let h = 0; h < 30 * 24; h += 1) {
      const at = hour0 - h * HOUR
      const day = Math.floor(h / 24)
      let broken = 0
      let atRisk = 0
      if (p.id === checkout.id && h < 5) broken = 12
      else if (p.id === checkout.id && day === 9 && h % 24 < 6) broken = 4
      else if (p.id === store.id && day === 3) atRisk = 2
      else if (p.id === search.id && (day === 12 || day === 20) && h % 24 < 10) broken = 6
      else if (pi === 0 && day === 17 && h % 24 < 3) broken = 12
      rollups.push({ promiseId: p.id, hour: new Date(at), runs: 12, kept: 12 - broken - atRisk, atRisk, broken, errors: 0, p50Ms: 2100, p95Ms: 3900, maxClicks: 3 })
    }
  })
  for (let i = 0; i < rollups.length; i += 2000) await db.insert(runRollups).values(rollups.slice(i, i + 2000))

  const orderSteps = (failAt: number | null) =>
    [`go to ${shopUrl}/`, 'click "Shop now"', 'click "Add to cart"', 'click "Place order"', 'expect "Order confirmed"'].map((text, i) => ({
      line: i + 1,
      text,
      outcome: failAt === null || i < failAt ? ('passed' as const) : i === failAt ? ('failed' as const) : ('skipped' as const),
      durationMs: [640, 420, 380, 510, 90][i]!,
      clicks: text.startsWith('click') && (failAt === null || i < failAt) ? 1 : 0,
      error: i === failAt ? 'expected the text "Order confirmed"; the page shows "Payment service unavailable"' : null,
    }))
  const runRows: (typeof runs.$inferInsert)[] = []
  for (let i = 0; i < 24; i++) {
    const started = new Date(now.getTime() - i * 5 * 60_000 - 30_000)
    const broken = i < 3
    for (const p of [order, checkout]) {
      runRows.push({
        id: randomUUID(),
        promiseId: p.id,
        trigger: 'schedule',
        outcome: p.id === checkout.id && broken ? 'broken' : 'kept',
        clicks: p.id === checkout.id && broken ? 2 : 3,
        durationMs: 2040 + ((i * 37) % 400),
        startedAt: started,
        finishedAt: new Date(started.getTime() + 2100),
        steps: orderSteps(p.id === checkout.id && broken ? 4 : null),
        failure:
          p.id === checkout.id && broken
            ? { kind: 'step', line: 5, message: 'expected the text "Order confirmed"; the page shows "Payment service unavailable"' }
            : null,
      })
    }
  }
  await db.insert(runs).values(runRows)
  const lastOrder = runRows[0]!
  const lastCheckout = runRows[1]!
  const [open] = await db
    .insert(breaks)
    .values({
      promiseId: checkout.id,
      openedAt: new Date(now.getTime() - 14 * 60_000),
      openedByRunId: lastCheckout.id!,
      failure: lastCheckout.failure ?? null,
    })
    .returning()
  await db.insert(breaks).values({
    promiseId: checkout.id,
    openedAt: new Date(now.getTime() - 9 * 86_400_000),
    resolvedAt: new Date(now.getTime() - 9 * 86_400_000 + 5.5 * HOUR),
    openedByRunId: randomUUID(),
    failure: { kind: 'budget', budget: 'maxSeconds', limit: 60, actual: 74, message: 'took 74 s, over the 60 s budget' },
    acknowledgedAt: new Date(now.getTime() - 9 * 86_400_000 + 0.2 * HOUR),
    acknowledgedBy: 'tom@example.com',
  })
  const { eq } = await import('drizzle-orm')
  await db.update(promises).set({ state: 'kept', lastRunAt: lastOrder.startedAt, lastRunId: lastOrder.id }).where(eq(promises.id, order.id))
  await db
    .update(promises)
    .set({ state: 'broken', lastRunAt: lastCheckout.startedAt, lastRunId: lastCheckout.id, openBreakId: open!.id })
    .where(eq(promises.id, checkout.id))
  await db.update(promises).set({ state: 'at_risk', lastRunAt: new Date(now.getTime() - 120_000) }).where(eq(promises.id, store.id))
  await db.update(promises).set({ state: 'kept', lastRunAt: new Date(now.getTime() - 200_000) }).where(eq(promises.id, search.id))
  await db.update(promises).set({ paused: true }).where(eq(promises.id, newsletter.id))
  await db.insert(channels).values([
    { type: 'slack', name: '#shop-alerts', configEncrypted: 'v1.x.y', configPublic: { host: 'hooks.slack.com' }, isDefault: true },
    {
      type: 'email',
      name: 'Tech on call',
      configEncrypted: 'v1.x.y',
      configPublic: { to: 'oncall@example.com' },
      lastError: 'SMTP_URL is not set: Kept cannot send email',
      lastErrorAt: new Date(now.getTime() - 3600_000),
    },
  ])
  return { order, checkout, store, search, newsletter, openBreak: open!, lastCheckoutRun: lastCheckout.id! }
}

/**
 * Kept's API (/api) and pages (/) as the HTTP app mounts them, over `db`,
 * with side effects that only answer: a recording scheduler unless one is
 * given, no health probes, no channel tests, no digest.
 */
export function keptApp(deps: { db: Db; dataDir: string; scheduler?: PromiseScheduler; secretKey?: Buffer }) {
  const base = { db: deps.db, scheduler: deps.scheduler ?? recordingScheduler(), dataDir: deps.dataDir }
  const secretKey = deps.secretKey ?? randomBytes(32)
  return new Hono()
    .route('/api', createApiApp({ ...base, secretKey, health: async () => ({ ok: true }), testChannel: async () => {}, previewDigest: async () => null }))
    .route('/', pageRoutes({ ...base, tryJourney: fakeTry(deps.dataDir), secretKey }))
}

/** The open alert of a break that went to its tech owner and waits in the outbox (no SMTP_URL). */
export async function seedOwnerAlert(db: Db, breakId: string, at: Date): Promise<void> {
  await db.insert(alertDeliveries).values({
    idempotencyKey: `${breakId}:open:owner`,
    breakId,
    recipient: 'tom@example.com',
    kind: 'open',
    status: 'logged',
    attempts: 1,
    lastError: 'not sent: SMTP_URL is not set',
    sentAt: at,
  })
}
