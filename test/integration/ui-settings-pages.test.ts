import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encryptChannelConfig, readChannelConfig } from '../../src/alerts/channel-config.ts'
import { sendTestAlert } from '../../src/alerts/test-alert.ts'
import { alertDeliveries, breaks, channels, maintenanceWindows, promiseChannels, promises, runs, secrets, type Role } from '../../src/db/schema.ts'
import { closeServer } from '../../src/infra/close-server.ts'
import { decrypt } from '../../src/infra/crypto.ts'
import { pageRoutes } from '../../src/ui/app.tsx'
import { fakeTry, recordingScheduler, usersByRole, type Signed } from '../e2e/ui-fixtures.ts'
import { testAlertSettings } from '../support/alert-settings.ts'
import { freshDatabase } from '../support/db.ts'

// The pages a team runs Kept with: Secrets, Maintenance and editable
// channels with a test alert, through app.request() on a real Postgres
// and a real HTTP receiver for the test alert.

let pg: Awaited<ReturnType<typeof freshDatabase>>
let dataDir: string
let app: ReturnType<typeof pageRoutes>
let who: Record<Role, Signed>
let receiver: Server
let receiverUrl: string
let hits = 0
const secretKey = Buffer.alloc(32, 9)
const scheduler = recordingScheduler()

beforeAll(async () => {
  pg = await freshDatabase()
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-ui-settings-'))
  who = await usersByRole(pg.db, 'settings')
  receiver = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      hits++
      res.writeHead(req.url === '/fail' ? 500 : 204).end(req.url === '/fail' ? 'a secret remote body' : undefined)
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
  const settings = testAlertSettings(dataDir, { baseUrl: 'http://127.0.0.1:3000', reminderMax: 0, deliveryAttempts: 1 })
  const mailer = { transport: nodemailer.createTransport({ jsonTransport: true }), configured: false, from: 'kept@localhost' }
  app = pageRoutes({
    db: pg.db,
    scheduler,
    tryJourney: fakeTry(dataDir),
    dataDir,
    secretKey,
    testChannel: (id) => sendTestAlert({ db: pg.db, secretKey, settings, mailer }, id),
  })
})
afterAll(async () => {
  await closeServer(receiver)
  await pg?.drop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const get = async (user: Signed, pathName: string) => {
  const res = await app.request(`http://localhost${pathName}`, { headers: { cookie: user.cookie } })
  return { status: res.status, html: await res.text(), location: res.headers.get('location') }
}
const post = async (user: Signed, pathName: string, form: Record<string, string> = {}) => {
  const res = await app.request(`http://localhost${pathName}`, {
    method: 'POST',
    headers: { cookie: user.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: user.csrf, ...form }).toString(),
  })
  return { status: res.status, html: await res.text(), location: res.headers.get('location') }
}

describe('Settings → Secrets', () => {
  it('adds, replaces and deletes a secret; its value never shows; the journeys using it are named', async () => {
    const [p] = await pg.db.insert(promises).values({ title: 'Sign in with a secret', journey: 'go to http://127.0.0.1:4100/\nfill "Password" with "{{secrets.SHOP_PASSWORD}}"' }).returning()
    const before = await get(who.marketing, '/settings/secrets')
    expect(before.status).toBe(200)
    expect(before.html).toContain('Named by a journey but not set')
    expect(before.html).toContain('SHOP_PASSWORD')

    expect((await post(who.marketing, '/settings/secrets', { name: 'SHOP_PASSWORD', value: 'first-value-123' })).location).toBe('/settings/secrets?notice=secret-saved')
    expect((await post(who.marketing, '/settings/secrets', { name: 'SHOP_PASSWORD', value: 'second-value-456' })).status).toBe(303)
    const [row] = await pg.db.select().from(secrets).where(eq(secrets.name, 'SHOP_PASSWORD'))
    expect(decrypt(secretKey, row!.valueEncrypted)).toBe('second-value-456')
    const page = await get(who.marketing, '/settings/secrets')
    expect(page.html).not.toContain('second-value-456')
    expect(page.html).not.toContain('first-value-123')
    expect(page.html).toContain(`href="/promises/${p!.id}"`)
    expect(page.html).not.toContain('Named by a journey but not set')
    expect(scheduler.calls).toContain(`sync:${p!.id}`)

    const bad = await post(who.marketing, '/settings/secrets', { name: 'no spaces allowed', value: 'x' })
    expect(bad.status).toBe(400)
    expect(bad.html).toContain('letters, digits and _')

    const confirm = await get(who.marketing, '/settings/secrets/SHOP_PASSWORD/delete')
    expect(confirm.html).toContain('Sign in with a secret')
    expect((await post(who.marketing, '/settings/secrets/SHOP_PASSWORD/delete')).location).toBe('/settings/secrets?notice=secret-deleted')
    expect(await pg.db.select().from(secrets)).toEqual([])
  })

  it('is refused to roles that do not edit promises', async () => {
    expect((await get(who.tech, '/settings/secrets')).status).toBe(403)
    expect((await post(who.viewer, '/settings/secrets', { name: 'X', value: 'y' })).status).toBe(403)
  })
})

describe('Maintenance', () => {
  it('plans, edits and ends a window, shown on the promise page and the dashboard', async () => {
    const [p] = await pg.db.insert(promises).values({ title: 'Checkout in a minute', journey: 'go to http://127.0.0.1:4100/' }).returning()
    const now = new Date()
    const iso = (at: Date) => at.toISOString().slice(0, 16)
    const wrong = await post(who.tech, '/maintenance', { promiseId: p!.id, startsAt: iso(now), endsAt: iso(new Date(now.getTime() - 3600_000)) })
    expect(wrong.status).toBe(400)
    expect(wrong.html).toContain('The end must come after the start.')
    const bad = await post(who.tech, '/maintenance', { promiseId: p!.id, startsAt: 'soon', endsAt: '' })
    expect(bad.html).toContain('Expected a date and time')

    const made = await post(who.tech, '/maintenance', {
      promiseId: p!.id,
      startsAt: iso(new Date(now.getTime() - 60_000)),
      endsAt: iso(new Date(now.getTime() + 2 * 3600_000)),
      reason: 'Checkout deploy',
    })
    expect(made.location).toBe('/maintenance?notice=maintenance-planned')
    const [w] = await pg.db.select().from(maintenanceWindows).where(eq(maintenanceWindows.promiseId, p!.id))
    const promisePage = await get(who.viewer, `/promises/${p!.id}`)
    expect(promisePage.html).toContain('In maintenance until')
    expect(promisePage.html).toContain('Checkout deploy')
    expect((await get(who.viewer, '/')).html).toContain('in maintenance until')
    expect((await get(who.viewer, '/maintenance')).html).toContain('Checkout deploy')

    const edited = await post(who.tech, `/maintenance/${w!.id}/edit`, {
      promiseId: p!.id,
      startsAt: iso(new Date(now.getTime() - 60_000)),
      endsAt: iso(new Date(now.getTime() + 3600_000)),
      reason: 'Checkout deploy, part 2',
    })
    expect(edited.location).toBe('/maintenance?notice=maintenance-saved')
    expect((await post(who.tech, `/maintenance/${w!.id}/end`)).location).toBe('/maintenance?notice=maintenance-ended')
    const [ended] = await pg.db.select().from(maintenanceWindows).where(eq(maintenanceWindows.id, w!.id))
    expect(ended!.endsAt.getTime()).toBeLessThanOrEqual(Date.now())
    expect((await get(who.viewer, `/promises/${p!.id}`)).html).not.toContain('In maintenance until')
  })

  it('lets every role read it and only tech and admin change it', async () => {
    expect((await get(who.viewer, '/maintenance')).status).toBe(200)
    expect((await get(who.viewer, '/maintenance')).html).not.toContain('Plan the window')
    expect((await post(who.marketing, '/maintenance', {})).status).toBe(403)
  })
})

describe('Channels: edit, delete, test', () => {
  it('edits a channel, keeping a secret left empty, and shows the test alert\'s result', async () => {
    const [ch] = await pg.db
      .insert(channels)
      .values({ type: 'webhook', name: 'Ops hook', configEncrypted: encryptChannelConfig(secretKey, { url: `${receiverUrl}/ok`, secret: 'a-webhook-secret-of-some-length' }) })
      .returning()
    const edit = await get(who.tech, `/channels/${ch!.id}/edit`)
    expect(edit.status).toBe(200)
    expect(edit.html).not.toContain('a-webhook-secret-of-some-length')
    const saved = await post(who.tech, `/channels/${ch!.id}/edit`, { name: 'Ops hook (new)', url: '', secret: '', isDefault: '1' })
    expect(saved.location).toBe('/channels?notice=channel-saved')
    const [row] = await pg.db.select().from(channels).where(eq(channels.id, ch!.id))
    expect(row).toMatchObject({ name: 'Ops hook (new)', isDefault: true })
    expect(readChannelConfig(secretKey, 'webhook', row!.configEncrypted)).toEqual({ url: `${receiverUrl}/ok`, secret: 'a-webhook-secret-of-some-length' })

    const tested = await post(who.tech, `/channels/${ch!.id}/test`)
    expect(tested.location).toBe('/channels?notice=test-sent')
    expect(hits).toBeGreaterThan(0)

    await post(who.tech, `/channels/${ch!.id}/edit`, { name: 'Ops hook (new)', url: `${receiverUrl}/fail`, secret: '' })
    const failed = await post(who.tech, `/channels/${ch!.id}/test`)
    expect(failed.status).toBe(502)
    expect(failed.html).toContain('The test failed')
    expect(failed.html).toContain('Ops hook (new)')
  })

  it('lists failed deliveries with their error, and deletes a channel naming the promises that used it', async () => {
    const [ch] = await pg.db
      .insert(channels)
      .values({ type: 'webhook', name: 'Flaky hook', configEncrypted: encryptChannelConfig(secretKey, { url: `${receiverUrl}/fail`, secret: 'a-webhook-secret-of-some-length' }) })
      .returning()
    const [p] = await pg.db.insert(promises).values({ title: 'Find a store in 2 taps', journey: 'go to http://127.0.0.1:4100/' }).returning()
    await pg.db.insert(promiseChannels).values({ promiseId: p!.id, channelId: ch!.id })
    const runId = crypto.randomUUID()
    await pg.db.insert(runs).values({ id: runId, promiseId: p!.id, trigger: 'confirm', outcome: 'broken', durationMs: 1, startedAt: new Date(), finishedAt: new Date() })
    const [brk] = await pg.db.insert(breaks).values({ promiseId: p!.id, openedAt: new Date(), openedByRunId: runId }).returning()
    await pg.db.insert(alertDeliveries).values({ idempotencyKey: `${brk!.id}:open:${ch!.id}`, breakId: brk!.id, channelId: ch!.id, kind: 'open', status: 'failed', attempts: 4, lastError: 'the webhook answered 500' })
    const page = await get(who.tech, '/channels')
    expect(page.html).toContain('Failed deliveries')
    expect(page.html).toContain('the webhook answered 500')
    expect(page.html).toContain(`href="/breaks/${brk!.id}"`)

    const confirm = await get(who.tech, `/channels/${ch!.id}/delete`)
    expect(confirm.html).toContain('Find a store in 2 taps')
    expect(confirm.html).toContain('use the default channels, else their tech owner')
    expect((await post(who.tech, `/channels/${ch!.id}/delete`)).location).toBe('/channels?notice=channel-deleted')
    // The delivery stays in the break's history, its channel gone.
    const [kept] = await pg.db.select().from(alertDeliveries).where(eq(alertDeliveries.breakId, brk!.id))
    expect(kept).toMatchObject({ channelId: null, status: 'failed' })
    expect(await pg.db.select().from(promiseChannels).where(eq(promiseChannels.promiseId, p!.id))).toEqual([])
  })
})
