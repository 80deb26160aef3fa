import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { eq } from 'drizzle-orm'
import { Hono } from 'hono'
import nodemailer from 'nodemailer'
import { simpleParser } from 'mailparser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openAlertContext } from '../../src/alerts/context.ts'
import { runAlertTick } from '../../src/alerts/tick.ts'
import { outbox, promises } from '../../src/db/schema.ts'
import type { ClaimDrift } from '../../src/domain/claims/drift.ts'
import { closeServer } from '../../src/infra/close-server.ts'
import { testAlertSettings } from '../support/alert-settings.ts'
import { journeyPipeline } from '../support/pipeline.ts'
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp.ts'
import { until } from '../support/wait.ts'

// Claim drift as a marketing owner meets it: the shop's own page says "in 2
// clicks", customers need 3; a real worker walks it in Chromium, the
// recorder keeps the drift, the alert tick tells her once by email through
// a real SMTP server, and once more when the copy is mended.

const p = journeyPipeline('drift')
let site: ServerType
let siteUrl: string
let smtp: SmtpReceiver
/** The home page's promise, as the site writes it: the test mends it halfway. */
let homeCopy = 'Order online in 2 clicks.'

beforeAll(async () => {
  const app = new Hono()
  const page = (title: string, body: string) => `<!doctype html><html lang="en"><head><title>${title}</title></head><body>${body}</body></html>`
  app.get('/', (c) => c.html(page('Shop', `<h1>Shop</h1><p>${homeCopy} Free returns.</p><a href="/product">Shop now</a>`)))
  app.get('/product', (c) => c.html(page('Product', '<h1>Mug</h1><a href="/cart">Add to cart</a>')))
  app.get('/cart', (c) => c.html(page('Cart', '<h1>Cart</h1><a href="/done">Place order</a>')))
  app.get('/done', (c) => c.html(page('Done', '<h1>Order confirmed</h1>')))
  // A page that says it too, read through the promise's claimUrl.
  app.get('/about', (c) => c.html(page('About', '<p>Checkout in under a minute, guaranteed.</p>')))
  site = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`
  smtp = await startSmtpReceiver()
})
afterAll(async () => {
  if (site) await closeServer(site)
  await smtp?.close()
})

async function walkOnce(promiseId: string): Promise<void> {
  const runId = await p.scheduler.runNow(promiseId)
  await until(async () => {
    const [row] = await p.pg.db.select({ last: promises.lastRunId }).from(promises).where(eq(promises.id, promiseId))
    return row?.last === runId
  }, 'the walk recorded', 90_000)
}

const driftOf = async (id: string) => (await p.pg.db.select({ d: promises.claimDrift }).from(promises).where(eq(promises.id, id)))[0]!.d as ClaimDrift | null

describe('claim drift', { timeout: 240_000 }, () => {
  it('finds the site promising fewer clicks than customers need, tells the marketing owner once, and once when mended', async () => {
    const [promise] = await p.pg.db
      .insert(promises)
      .values({
        title: 'Order online in 3 clicks',
        journey: [`go to ${siteUrl}/`, 'click "Shop now"', 'click "Add to cart"', 'click "Place order"', 'expect "Order confirmed"'].join('\n'),
        budgets: { maxClicks: 3, maxSeconds: 60 },
        claimUrl: `${siteUrl}/about`,
        marketingOwner: 'ana@example.com',
        scheduleEverySeconds: 3600,
      })
      .returning()
    const id = promise!.id
    const mailer = { transport: nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true }), configured: true, from: 'kept@example.com' }
    const ctx = openAlertContext({ connection: p.redis, prefix: p.prefix, db: p.pg.db, secretKey: p.key, settings: testAlertSettings(p.dataDir), mailer })
    try {
      await walkOnce(id)
      const drift = await driftOf(id)
      expect(drift).toMatchObject({
        claimed: { kind: 'clicks', value: 2 },
        measured: { kind: 'clicks', value: 3 },
        registered: { kind: 'clicks', value: 3 },
        text: 'Order online in 2 clicks.',
        pageUrl: `${siteUrl}/`,
      })
      // The claimUrl's "under a minute" agrees with a walk of a few seconds: not the drift.

      expect((await runAlertTick(ctx)).claimDrift).toBe(1)
      expect((await runAlertTick(ctx)).claimDrift).toBe(0) // once, not on every tick
      await walkOnce(id) // nor on every walk: the same drift keeps its start
      expect((await driftOf(id))!.since).toBe(drift!.since)
      expect((await runAlertTick(ctx)).claimDrift).toBe(0)
      await until(() => smtp.received.length === 1, 'the drift email')
      const mail = await simpleParser(smtp.received[0]!.raw)
      expect(smtp.received[0]!.to).toEqual(['ana@example.com'])
      expect(mail.subject).toBe('Kept: your site promises 2 clicks for “Order online in 3 clicks”')
      expect(mail.text).toContain('The site says “Order online in 2 clicks.” (2 clicks), but customers need 3 clicks and the promise registered in Kept allows 3 clicks.')
      expect(mail.text).toContain(`Where the site says it: ${siteUrl}/`)

      // The copy is mended: the next walk clears it, and she hears so once.
      homeCopy = 'Order online in 3 clicks.'
      await walkOnce(id)
      expect(await driftOf(id)).toBeNull()
      expect((await runAlertTick(ctx)).claimDrift).toBe(1)
      expect((await runAlertTick(ctx)).claimDrift).toBe(0)
      await until(() => smtp.received.length === 2, 'the mended email')
      expect((await simpleParser(smtp.received[1]!.raw)).subject).toBe('Kept: the site\'s words and “Order online in 3 clicks” agree again')
    } finally {
      await ctx.close()
    }
  })

  it('reads the claimUrl too, and keeps the email in the outbox when SMTP is not set', async () => {
    const [promise] = await p.pg.db
      .insert(promises)
      .values({
        title: 'Checkout in 30 seconds',
        journey: [`go to ${siteUrl}/`, 'expect "Shop"'].join('\n'),
        budgets: { maxSeconds: 90 },
        claimUrl: `${siteUrl}/about`,
        marketingOwner: 'ana@example.com',
        scheduleEverySeconds: 3600,
      })
      .returning()
    await walkOnce(promise!.id)
    expect(await driftOf(promise!.id)).toMatchObject({
      claimed: { kind: 'seconds', value: 60 },
      registered: { kind: 'seconds', value: 90 },
      text: 'Checkout in under a minute, guaranteed.',
      pageUrl: `${siteUrl}/about`,
    })
    const unsent = { transport: nodemailer.createTransport({ jsonTransport: true }), configured: false, from: 'kept@localhost' }
    const ctx = openAlertContext({ connection: p.redis, prefix: p.prefix, db: p.pg.db, secretKey: p.key, settings: testAlertSettings(p.dataDir), mailer: unsent })
    try {
      expect((await runAlertTick(ctx)).claimDrift).toBe(1)
    } finally {
      await ctx.close()
    }
    const kept = await p.pg.db.select().from(outbox).where(eq(outbox.promiseId, promise!.id))
    expect(kept.map((m) => [m.kind, m.to, m.subject])).toEqual([['claim', ['ana@example.com'], 'Kept: your site promises 60 s for “Checkout in 30 seconds”']])
  })
})
