import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encryptChannelConfig } from '../../src/alerts/channel-config.ts'
import { breaks, channels, outbox, promises, runs, type Role } from '../../src/db/schema.ts'
import { pageRoutes } from '../../src/ui/app.tsx'
import { fakeTry, recordingScheduler, usersByRole, type Signed, seedOwnerAlert } from '../e2e/ui-fixtures.ts'
import { freshDatabase } from '../support/db.ts'

// The Alerts page (deliveries and the outbox) and what a promise page says
// of where its alerts go, through app.request() on a real Postgres.

let pg: Awaited<ReturnType<typeof freshDatabase>>
let dataDir: string
let app: ReturnType<typeof pageRoutes>
let who: Record<Role, Signed>
const secretKey = Buffer.alloc(32, 7)

beforeAll(async () => {
  pg = await freshDatabase()
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-ui-alerts-'))
  who = await usersByRole(pg.db, 'alerts')
  app = pageRoutes({ db: pg.db, scheduler: recordingScheduler(), tryJourney: fakeTry(dataDir), dataDir, secretKey, mailConfigured: false })
})
afterAll(async () => {
  await pg?.drop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const get = async (user: Signed, pathName: string) => {
  const res = await app.request(`http://localhost${pathName}`, { headers: { cookie: user.cookie } })
  return { status: res.status, html: await res.text() }
}

async function promise(values: Partial<typeof promises.$inferInsert> = {}) {
  const [row] = await pg.db.insert(promises).values({ title: 'Order online in 3 clicks', journey: 'go to http://127.0.0.1:4100/', ...values }).returning()
  return row!
}

describe('where alerts go, said on the promise page', () => {
  it('names its tech owner and the outbox when no channel exists and SMTP is not set', async () => {
    const p = await promise({ techOwner: 'tom@example.com' })
    const { html } = await get(who.viewer, `/promises/${p.id}`)
    expect(html).toContain('its tech owner tom@example.com, by email')
    expect(html).toContain('SMTP_URL is not set')
    expect(html).not.toContain('go nowhere')
  })

  it('warns when they go nowhere', async () => {
    const p = await promise({ techOwner: null, title: 'Nobody hears' })
    const { html } = await get(who.marketing, `/promises/${p.id}`)
    expect(html).toContain('Alerts of this promise go nowhere')
    expect(html).toContain(`href="/promises/${p.id}/edit"`)
  })

  it('names the default channels when the promise names none', async () => {
    const [channel] = await pg.db
      .insert(channels)
      .values({ type: 'webhook', name: 'Ops hook', isDefault: true, configEncrypted: encryptChannelConfig(secretKey, { url: 'http://127.0.0.1:9/x', secret: 'a-webhook-secret-of-some-length' }) })
      .returning()
    const p = await promise({ techOwner: 'tom@example.com', title: 'Default routed' })
    const { html } = await get(who.viewer, `/promises/${p.id}`)
    expect(html).toContain('the default channels: Ops hook')
    await pg.db.delete(channels).where(eq(channels.id, channel!.id))
  })
})

describe('the Alerts page', () => {
  it('lists deliveries and the outbox, even of a deleted promise, to every role', async () => {
    const p = await promise({ title: 'Checkout in <under> a minute', techOwner: 'tom@example.com' })
    const runId = crypto.randomUUID()
    const at = new Date()
    await pg.db.insert(runs).values({ id: runId, promiseId: p.id, trigger: 'confirm', outcome: 'broken', durationMs: 10, startedAt: at, finishedAt: at })
    const [brk] = await pg.db.insert(breaks).values({ promiseId: p.id, openedAt: at, openedByRunId: runId }).returning()
    await seedOwnerAlert(pg.db, brk!.id, at)
    await pg.db.insert(outbox).values({
      kind: 'alert',
      to: ['tom@example.com'],
      subject: 'Broken: “Checkout in <under> a minute”',
      text: 'The promise broke.\nWhy: the step on line 2 failed',
      reason: 'not sent: SMTP_URL is not set',
      breakId: brk!.id,
      promiseId: p.id,
      promiseTitle: p.title,
    })
    for (const role of ['viewer', 'tech', 'marketing', 'admin'] as const) {
      const { status, html } = await get(who[role], '/alerts')
      expect(status, role).toBe(200)
      expect(html).toContain('Broken: “Checkout in &lt;under&gt; a minute”')
      expect(html).toContain('tech owner tom@example.com')
      expect(html).toContain('in the outbox')
      expect(html).toContain(`href="/breaks/${brk!.id}"`)
    }
    // The promise is deleted: its outbox entry stays, with its title.
    await pg.db.delete(promises).where(eq(promises.id, p.id))
    const { status, html } = await get(who.viewer, '/alerts')
    expect(status).toBe(200)
    expect(html).toContain('Checkout in &lt;under&gt; a minute (deleted since)')
  })

  it('sends a stranger to sign in and back', async () => {
    const res = await app.request('http://localhost/alerts')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login?next=%2Falerts')
  })
})
