import { randomUUID } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { simpleParser } from 'mailparser'
import nodemailer, { type Transporter } from 'nodemailer'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { breaks, digestDeliveries, digests, maintenanceWindows, promises, runs, users } from '../../src/db/schema.ts'
import { loadDigestInput } from '../../src/digest/load.ts'
import { previewDigest } from '../../src/digest/preview.ts'
import { sendDigest, type DigestSendDeps } from '../../src/digest/send.ts'
import { verifyUnsubscribe } from '../../src/digest/unsubscribe.ts'
import { refreshRollups } from '../../src/recorder/rollups.ts'
import { freshDatabase } from '../support/db.ts'
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../support/smtp.ts'

// A week we construct ourselves: 2026-W47 in Europe/Paris, from
// 2026-11-15T23:00Z to 2026-11-22T23:00Z, sent on Monday 23 November.
const WEEK = '2026-W47'
const TIMEZONE = 'Europe/Paris'
const NOW = new Date('2026-11-23T08:00:00Z')
const BASE_URL = 'https://kept.example.com'
const secretKey = Buffer.alloc(32, 7)
const at = (iso: string) => new Date(iso)

describe('digest: loading, sending once', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let smtp: SmtpReceiver
  let port: number
  let mailer: Transporter
  let received: ReceivedMail[] = []
  /** Messages accepted before the server starts answering 451. */
  let acceptOnly = Infinity
  const ids = { order: '', checkout: '', store: '', paused: '', ana: '', tom: '', boss: '' }

  beforeAll(async () => {
    pg = await freshDatabase()
    smtp = await startSmtpReceiver({
      refuse: (accepted) =>
        accepted.length >= acceptOnly ? Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }) : null,
    })
    port = smtp.port
    received = smtp.received
    mailer = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
    await seedWeek()
  })

  afterAll(async () => {
    mailer?.close()
    await smtp?.close()
    await pg?.drop()
  })

  beforeEach(async () => {
    received.length = 0
    acceptOnly = Infinity
    await pg.db.delete(digests)
  })

  const deps = (overrides: Partial<DigestSendDeps> = {}): DigestSendDeps => ({
    db: pg.db,
    mailer,
    from: 'Kept <kept@example.com>',
    timezone: TIMEZONE,
    baseUrl: BASE_URL,
    extraRecipients: ['cmo@example.com', 'ANA@example.com'],
    secretKey,
    now: () => NOW,
    ...overrides,
  })
  const expectedRecipients = ['boss@example.com', 'ana@example.com', 'cmo@example.com', 'tom@example.com'].sort()
  const recipientsOf = (list: ReceivedMail[]) => list.flatMap((m) => m.to).sort()

  async function seedWeek() {
    const createdAt = at('2026-10-01T00:00:00Z')
    const userRows = await pg.db
      .insert(users)
      .values([
        { email: 'ana@example.com', role: 'marketing' },
        { email: 'tom@example.com', role: 'tech' },
        { email: 'boss@example.com', role: 'admin' },
        { email: 'viewer@example.com', role: 'viewer' },
        { email: 'gone@example.com', role: 'marketing', digestOptOut: true },
        { email: 'left@example.com', role: 'tech', disabledAt: at('2026-11-01T00:00:00Z') },
      ])
      .returning()
    const user = (email: string) => userRows.find((u) => u.email === email)!.id
    ids.ana = user('ana@example.com')
    ids.tom = user('tom@example.com')
    ids.boss = user('boss@example.com')

    const [order, checkout, store, paused, future] = await pg.db
      .insert(promises)
      .values([
        {
          title: 'Order online in 3 clicks',
          dailyCustomers: 1440,
          detractorRate: 0.25,
          marketingOwner: 'ana@example.com',
          techOwner: 'tom@example.com',
          createdAt,
        },
        { title: 'Checkout in under a minute', dailyCustomers: 2880, detractorRate: 0.4, createdAt },
        { title: 'Find a store <in> 2 taps & "more"', dailyCustomers: 500, budgets: { maxSeconds: 10 }, createdAt },
        { title: 'Paused, quiet', paused: true, dailyCustomers: 100, createdAt },
        { title: 'Created after the week', dailyCustomers: 100, createdAt: at('2026-11-23T07:00:00Z') },
      ])
      .returning()
    ids.order = order!.id
    ids.checkout = checkout!.id
    ids.store = store!.id
    ids.paused = paused!.id

    const openedBy = () => randomUUID()
    const checkoutBrokenRun = randomUUID()
    await pg.db.insert(breaks).values([
      // Order: 30 min the week before; 60 + 120 across the edge; 90 with 30 in maintenance; 45 still open.
      { promiseId: order!.id, openedAt: at('2026-11-10T10:00:00Z'), resolvedAt: at('2026-11-10T10:30:00Z'), openedByRunId: openedBy() },
      { promiseId: order!.id, openedAt: at('2026-11-15T22:00:00Z'), resolvedAt: at('2026-11-16T01:00:00Z'), openedByRunId: openedBy() },
      { promiseId: order!.id, openedAt: at('2026-11-18T10:00:00Z'), resolvedAt: at('2026-11-18T11:30:00Z'), openedByRunId: openedBy() },
      { promiseId: order!.id, openedAt: at('2026-11-22T22:15:00Z'), resolvedAt: null, openedByRunId: openedBy() },
      // Checkout: 90 min, 10 of them in a maintenance window for every promise.
      { promiseId: checkout!.id, openedAt: at('2026-11-20T08:00:00Z'), resolvedAt: at('2026-11-20T09:30:00Z'), openedByRunId: checkoutBrokenRun },
      // Long before: not loaded, not counted.
      { promiseId: checkout!.id, openedAt: at('2026-10-05T08:00:00Z'), resolvedAt: at('2026-10-05T09:00:00Z'), openedByRunId: openedBy() },
      // The promise created after the week broke after it too.
      { promiseId: future!.id, openedAt: at('2026-11-23T07:30:00Z'), resolvedAt: null, openedByRunId: openedBy() },
    ])
    await pg.db.insert(maintenanceWindows).values([
      { promiseId: order!.id, startsAt: at('2026-11-18T11:00:00Z'), endsAt: at('2026-11-18T12:00:00Z'), reason: 'deploy' },
      { promiseId: null, startsAt: at('2026-11-20T09:00:00Z'), endsAt: at('2026-11-20T09:10:00Z'), reason: 'database upgrade' },
      { promiseId: store!.id, startsAt: at('2026-11-20T08:00:00Z'), endsAt: at('2026-11-20T10:00:00Z'), reason: 'not the others' },
    ])

    // Raw runs, rolled up by the recorder's own SQL: the digest reads only the rollups.
    const run = (promiseId: string, iso: string, outcome: 'kept' | 'at_risk' | 'broken' | 'error', durationMs = 3000) => ({
      id: randomUUID(),
      promiseId,
      trigger: 'schedule' as const,
      outcome,
      durationMs,
      startedAt: at(iso),
      finishedAt: at(iso),
    })
    const many = (n: number, promiseId: string, day: string, outcome: 'kept' | 'at_risk' | 'broken' | 'error', durationMs = 3000) =>
      Array.from({ length: n }, (_, i) => run(promiseId, `${day}T${String(8 + (i % 10)).padStart(2, '0')}:${String(i).padStart(2, '0')}:00Z`, outcome, durationMs))
    const allRuns = [
      // Order, this week: 18 kept, 2 at risk, 4 broken (one at Monday 00:30 Paris), 1 error: 20 / 24.
      ...many(18, order!.id, '2026-11-17', 'kept'),
      ...many(2, order!.id, '2026-11-19', 'at_risk'),
      ...many(3, order!.id, '2026-11-18', 'broken'),
      run(order!.id, '2026-11-15T23:30:00Z', 'broken'),
      run(order!.id, '2026-11-21T10:00:00Z', 'error'),
      // Order, the week before (one at Sunday 23:30 Paris) and the week after.
      run(order!.id, '2026-11-15T22:30:00Z', 'kept'),
      run(order!.id, '2026-11-10T10:05:00Z', 'broken'),
      run(order!.id, '2026-11-23T10:00:00Z', 'broken'),
      // Checkout: 9 kept, 1 broken.
      ...many(9, checkout!.id, '2026-11-19', 'kept'),
      {
        ...run(checkout!.id, '2026-11-20T08:05:00Z', 'broken'),
        id: checkoutBrokenRun,
        steps: [
          { line: 1, text: 'go to https://shop.example.com', outcome: 'passed' as const, durationMs: 900 },
          { line: 2, text: 'click "Pay"', outcome: 'failed' as const, durationMs: 600, error: 'the page threw: pay is not defined' },
        ],
        failure: { kind: 'step' as const, line: 2, message: 'the page threw: pay is not defined' },
        failures: [
          { kind: 'step' as const, line: 2, message: 'the page threw: pay is not defined' },
          { kind: 'budget' as const, budget: 'maxClicks' as const, limit: 0, actual: 1, line: 2, message: 'took 1 click, the promise allows 0' },
        ],
      },
      // Store: kept all week, two runs at risk and slow.
      ...many(8, store!.id, '2026-11-17', 'kept', 4000),
      ...many(2, store!.id, '2026-11-20', 'at_risk', 9000),
    ]
    await pg.db.insert(runs).values(allRuns)
    await refreshRollups(pg.db, { promiseId: null, from: at('2026-11-01T00:00:00Z'), to: at('2026-12-01T00:00:00Z') })
  }

  it('loads the week from Postgres and its rollups, and figures it to the minute and the customer', async () => {
    const input = await loadDigestInput(pg.db, { week: WEEK, timezone: TIMEZONE, now: NOW })
    expect(input.promises.map((p) => p.title)).not.toContain('Created after the week')
    const order = input.promises.find((p) => p.id === ids.order)!
    expect(order.runs).toMatchObject({ runs: 25, kept: 18, atRisk: 2, broken: 4, errors: 1 })
    expect(order.previousRuns).toMatchObject({ runs: 2, kept: 1, broken: 1 })
    expect(order.breaks).toHaveLength(4)
    expect(input.promises.find((p) => p.id === ids.checkout)!.breaks).toHaveLength(1)

    const { figures, text, subject } = await previewDigest(pg.db, { week: WEEK, timezone: TIMEZONE, baseUrl: BASE_URL, now: NOW })
    expect(figures.promises.map((p) => p.promiseId)).toEqual([ids.order, ids.checkout, ids.store])
    const [order2, checkout, store] = figures.promises
    expect(order2).toMatchObject({ brokenMinutes: 225, breaks: 3, affectedCustomers: 225, likelyDetractors: 56.25, keptRate: 20 / 24, change: 'up' })
    expect(order2!.previous).toMatchObject({ brokenMinutes: 90, breaks: 2, keptRate: 0.5 })
    expect(checkout).toMatchObject({ brokenMinutes: 80, breaks: 1, affectedCustomers: 160, likelyDetractors: 64, keptRate: 0.9 })
    expect(store).toMatchObject({ keptAllWeek: true, keptRate: 1, runs: { atRisk: 2, p95Ms: 9000 } })
    expect(store!.warnings).toHaveLength(2)
    expect(figures.totals).toMatchObject({ promises: 3, keptAllWeek: 1, broken: 2, brokenMinutes: 305, affectedCustomers: 385 })
    expect(figures.totals.npsPointsAtRisk).toBeCloseTo(12025 / 33740, 12)

    expect(subject).toBe('Kept 2026-W47: 1 of 3 promises kept all week; 2 broke for 5 h 5 min, about 385 customers affected')
    expect(text).toContain('1. Order online in 3 clicks [broke]')
    expect(text).toContain('NPS points at risk 0.56 ↑ last week 1 h 30 min, 0.22 pts')
    expect(text).toContain('Kept rate 83.3 % · 3 breaks · broken 3 h 45 min · about 225 customers affected · about 56 likely detractors')
    expect(text).toContain('2. Checkout in under a minute [broke]')
    expect(text).toContain('broken 1 h 20 min · about 160 customers affected · about 64 likely detractors')
    expect(text).toContain(`${BASE_URL}/promises/${ids.order}`)
    expect(text).toContain('NPS points at risk: 0.36')
    // Why it broke, in the words its alert used: the first failure of the run that opened the break.
    expect(checkout!.why).toBe('the step on line 2 (click "Pay") failed: the page threw: pay is not defined')
    expect(text).toContain('   Why: the step on line 2 (click "Pay") failed: the page threw: pay is not defined\n')
    // The order's latest break has no run on record, nor a failure: nothing is made up.
    expect(order2!.why).toBeUndefined()
  })

  it('sends one multipart email per recipient, skipping opted-out, disabled and viewer users', async () => {
    const report = await sendDigest(deps(), WEEK)
    expect(report).toMatchObject({ status: 'sent', sent: 4, failed: [], held: 0 })
    expect(recipientsOf(received)).toEqual(expectedRecipients)

    for (const message of received) {
      expect(message.raw.toString('utf8')).toMatch(/Content-Type: multipart\/alternative/i)
      const mail = await simpleParser(message.raw)
      expect(mail.subject).toBe('Kept 2026-W47: 1 of 3 promises kept all week; 2 broke for 5 h 5 min, about 385 customers affected')
      expect(mail.text).toContain('about 225 customers affected')
      expect(mail.html).toContain('about 385')
      // The promise title is text, never markup.
      expect(mail.html).toContain('Find a store &lt;in&gt; 2 taps &amp; &quot;more&quot;')
      expect(mail.html).not.toContain('<in>')
      expect(mail.headers.get('x-kept-digest')).toBe(WEEK)
    }

    const to = async (address: string) => simpleParser(received.find((m) => m.to.includes(address))!.raw)
    const ana = await to('ana@example.com')
    // Ana is also in KEPT_DIGEST_TO: unsubscribing would not stop it, so no link.
    expect(ana.text).toContain('your address is in KEPT_DIGEST_TO')
    const tom = await to('tom@example.com')
    const link = /Unsubscribe from the weekly digest: (\S+)/.exec(tom.text ?? '')?.[1]
    expect(link).toBeDefined()
    const url = new URL(link!)
    expect(url.origin + url.pathname).toBe(`${BASE_URL}/digests/unsubscribe`)
    expect(url.searchParams.get('u')).toBe(ids.tom)
    expect(verifyUnsubscribe(secretKey, ids.tom, url.searchParams.get('sig')!)).toBe(true)
    expect(verifyUnsubscribe(secretKey, ids.boss, url.searchParams.get('sig')!)).toBe(false)
    expect(tom.html).toContain(`href="${link!.replace(/&/g, '&amp;')}"`)

    const [row] = await pg.db.select().from(digests).where(eq(digests.week, WEEK))
    expect(row).toMatchObject({ status: 'sent' })
    expect((row!.figures as { headline: string }).headline).toMatch(/^1 of 3 promises kept all week/)
    const deliveries = await pg.db.select().from(digestDeliveries).where(eq(digestDeliveries.digestId, row!.id))
    expect(deliveries.map((d) => [d.recipient, d.status]).sort()).toEqual(expectedRecipients.map((r) => [r, 'sent']))
  })

  it('sends nothing the second time for the same week', async () => {
    await sendDigest(deps(), WEEK)
    received.length = 0
    const again = await sendDigest(deps(), WEEK)
    expect(again).toMatchObject({ status: 'already-sent', sent: 0 })
    expect(received).toHaveLength(0)
  })

  it('after a failure halfway, the next try sends each recipient exactly once, from the same snapshot', async () => {
    acceptOnly = 1
    const first = await sendDigest(deps(), WEEK)
    expect(first.status).toBe('incomplete')
    expect(first.sent).toBe(1)
    expect(first.failed.map((f) => f.recipient)).toHaveLength(3)
    expect(first.failed[0]!.error).toMatch(/451/)
    const [row] = await pg.db.select().from(digests).where(eq(digests.week, WEEK))
    expect(row!.status).toBe('sending')

    // A run recorded meanwhile must not change what the others receive.
    await pg.db.update(promises).set({ dailyCustomers: 99_999 }).where(eq(promises.id, ids.checkout))
    acceptOnly = Infinity
    try {
      const second = await sendDigest(deps(), WEEK)
      expect(second).toMatchObject({ status: 'sent', sent: 3, failed: [] })
    } finally {
      await pg.db.update(promises).set({ dailyCustomers: 2880 }).where(eq(promises.id, ids.checkout))
    }
    expect(recipientsOf(received)).toEqual(expectedRecipients)
    const subjects = new Set(await Promise.all(received.map(async (m) => (await simpleParser(m.raw)).subject)))
    expect(subjects.size).toBe(1)
    expect(await sendDigest(deps(), WEEK)).toMatchObject({ status: 'already-sent', sent: 0 })
    expect(received).toHaveLength(4)
  })

  it('a sender that dies while sending holds its recipient until its claim is stale, then it is sent once', async () => {
    // The first sender hangs forever on its second email, as if its process died right there.
    let calls = 0
    const dying = new Proxy(mailer, {
      get(target, key, receiver) {
        if (key !== 'sendMail') return Reflect.get(target, key, receiver)
        return (options: Parameters<Transporter['sendMail']>[0]) => {
          calls++
          return calls === 2 ? new Promise(() => {}) : target.sendMail(options)
        }
      },
    }) as Transporter
    void sendDigest(deps({ mailer: dying }), WEEK)
    await expect.poll(() => calls, { timeout: 10_000 }).toBe(2)
    expect(received).toHaveLength(1)

    // A restarted sender sends the others and leaves the claimed one alone while the claim is fresh.
    const restarted = await sendDigest(deps(), WEEK)
    expect(restarted).toMatchObject({ status: 'incomplete', sent: 2, held: 1 })
    expect(received).toHaveLength(3)

    // Once the claim is stale, the next try takes it over.
    const later = await sendDigest(deps({ claimTimeoutMs: 0 }), WEEK)
    expect(later).toMatchObject({ status: 'sent', sent: 1, held: 0 })
    expect(recipientsOf(received)).toEqual(expectedRecipients)
  })

  it('refuses a week that is not over, records nothing without recipients', async () => {
    await expect(sendDigest(deps(), '2026-W48')).rejects.toThrow(/week: expected a week that is over/)
    await expect(sendDigest(deps({ now: () => at('2026-11-20T00:00:00Z') }), WEEK)).rejects.toThrow(/week: expected a week that is over/)
    await expect(sendDigest(deps(), '2026-W60')).rejects.toThrow(/week: expected a week from 01 to 53/)

    await pg.db.update(users).set({ digestOptOut: true })
    try {
      expect(await sendDigest(deps({ extraRecipients: [] }), WEEK)).toMatchObject({ status: 'no-recipients', sent: 0 })
      expect(await pg.db.select().from(digests).where(and(eq(digests.week, WEEK)))).toHaveLength(0)
    } finally {
      await pg.db.update(users).set({ digestOptOut: false })
      await pg.db.update(users).set({ digestOptOut: true }).where(eq(users.email, 'gone@example.com'))
    }
    expect(received).toHaveLength(0)
  })
})
