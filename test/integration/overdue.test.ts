import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { simpleParser } from 'mailparser'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { outbox, promises } from '../../src/db/schema.ts'
import { recordResult } from '../../src/recorder/record.ts'
import { markOverdue, type OverdueDeps } from '../../src/services/overdue.ts'
import { loadDashboard } from '../../src/ui/dashboard-data.ts'
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp.ts'
import { apiHarness, type Harness } from './api-fixtures.ts'

const MINUTE = 60_000
const journey = 'go to http://127.0.0.1:4100/'

describe('overdue promises', () => {
  let h: Harness
  let smtp: SmtpReceiver
  let deps: OverdueDeps
  const now = new Date('2026-12-04T12:00:00Z')
  const ago = (minutes: number) => new Date(now.getTime() - minutes * MINUTE)
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    h = await apiHarness()
    smtp = await startSmtpReceiver()
    deps = {
      db: h.db,
      timezone: 'UTC',
      baseUrl: 'http://kept.test',
      mailer: { transport: nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true }), configured: true, from: 'kept@test' },
      now: () => now,
    }
    const insert = async (key: string, values: Partial<typeof promises.$inferInsert>) => {
      const [row] = await h.db
        .insert(promises)
        .values({ title: key, journey, scheduleEverySeconds: 60, techOwner: 'cto@shop.test', state: 'kept', updatedAt: ago(60), ...values })
        .returning({ id: promises.id })
      ids[key] = row!.id
    }
    await insert('stale', { lastRunAt: ago(4) })
    await insert('stale too', { lastRunAt: ago(10), state: 'at_risk' })
    await insert('fresh', { lastRunAt: ago(1) })
    await insert('broken and stale', { lastRunAt: ago(10), state: 'broken' })
    await insert('paused', { lastRunAt: ago(60), paused: true })
    await insert('on demand', { scheduleEverySeconds: null, lastRunAt: ago(60) })
    await insert('just edited', { lastRunAt: ago(60), updatedAt: ago(1) })
    await insert('no owner', { lastRunAt: ago(10), techOwner: null })
  })
  afterAll(async () => {
    await smtp?.close()
    await h?.close()
  })

  it('marks promises two walks late, and tells each tech owner once, in one email', async () => {
    const report = await markOverdue(deps)
    expect(report).toEqual({ became: 4, cleared: 0, told: 1 })
    const rows = await h.db.select({ title: promises.title, overdueSince: promises.overdueSince }).from(promises)
    const overdue = rows.filter((r) => r.overdueSince).map((r) => r.title).sort()
    expect(overdue).toEqual(['broken and stale', 'no owner', 'stale', 'stale too'])
    expect(smtp.received).toHaveLength(1)
    expect(smtp.received[0]!.to).toEqual(['cto@shop.test'])
    const mail = (await simpleParser(smtp.received[0]!.raw)).text ?? ''
    expect((await simpleParser(smtp.received[0]!.raw)).subject).toBe('Kept: 3 promises are not being walked')
    expect(mail).toContain(`http://kept.test/promises/${ids.stale}`)

    expect(await markOverdue(deps)).toEqual({ became: 0, cleared: 0, told: 0 })
    expect(smtp.received).toHaveLength(1)
  })

  it('shows "overdue" instead of kept or at risk in the API and on the dashboard; an open break stays broken', async () => {
    const res = await h.call('GET', `/api/v1/promises/${ids.stale}`)
    const body = (await res.json()) as { state: string; overdueSince: string }
    expect(body.state).toBe('overdue')
    expect(body.overdueSince).toBe(now.toISOString())
    const broken = (await (await h.call('GET', `/api/v1/promises/${ids['broken and stale']}`)).json()) as { state: string }
    expect(broken.state).toBe('broken')
    const list = (await (await h.call('GET', '/api/v1/promises?state=overdue')).json()) as { items: { title: string }[] }
    expect(list.items.map((p) => p.title).sort()).toEqual(['no owner', 'stale', 'stale too'])
    const kept = (await (await h.call('GET', '/api/v1/promises?state=kept')).json()) as { items: { title: string }[] }
    expect(kept.items.map((p) => p.title).sort()).toEqual(['fresh', 'just edited', 'on demand'])

    const dashboard = await loadDashboard(h.db, { page: 1 }, now)
    expect(dashboard.counts.overdue).toBe(3)
    expect(dashboard.rows.find((r) => r.title === 'stale')?.state).toBe('overdue')
    expect((await loadDashboard(h.db, { state: 'overdue', page: 1 }, now)).rows).toHaveLength(3)
  })

  it('the next walk clears it, and so does a schedule that no longer expects the missed walks', async () => {
    const started = new Date()
    await recordResult(h.db, {
      runId: randomUUID(),
      promiseId: ids.stale!,
      trigger: 'schedule',
      outcome: 'kept',
      clicks: 1,
      durationMs: 500,
      startedAt: started.toISOString(),
      finishedAt: started.toISOString(),
      steps: [],
      failure: null,
      vitals: {},
      screenshotPath: null,
      tracePath: null,
      workerId: 'test',
    })
    const [walked] = await h.db.select({ overdueSince: promises.overdueSince }).from(promises).where(eq(promises.id, ids.stale!))
    expect(walked!.overdueSince).toBeNull()

    await h.db.update(promises).set({ paused: true }).where(eq(promises.id, ids['stale too']!))
    expect(await markOverdue(deps)).toMatchObject({ became: 0, cleared: 1 })
  })

  it('without SMTP the email waits in the outbox', async () => {
    await h.db.update(promises).set({ lastRunAt: ago(30), overdueSince: null }).where(eq(promises.id, ids.fresh!))
    const report = await markOverdue({ ...deps, mailer: { ...deps.mailer, configured: false } })
    expect(report).toMatchObject({ became: 1, told: 1 })
    const kept = await h.db.select().from(outbox).where(eq(outbox.kind, 'overdue'))
    expect(kept).toHaveLength(1)
    expect(kept[0]!.subject).toBe('Kept: "fresh" is not being walked')
  })
})
