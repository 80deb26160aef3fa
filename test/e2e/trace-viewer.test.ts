import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listen, type HttpServer } from '../../src/app/http.ts'
import { promises, runs } from '../../src/db/schema.ts'
import { resolveChromium } from '../../src/runner/browser-path.ts'
import { CHROMIUM_ARGS } from '../../src/runner/chromium-args.ts'
import { startFixtureSite, type FixtureSite } from '../fixtures/site.tsx'
import { freshDatabase } from '../support/db.ts'
import { keptApp, usersByRole, type Signed } from './ui-fixtures.ts'

// Kept's own trace viewer, in a real Chromium: a real Playwright trace of
// a walk opens at /runs/<id>/trace, shows its actions, and every request
// the viewer makes (its service worker's too) goes to Kept's origin.

const SCREENSHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-results/screenshots')

let pg: Awaited<ReturnType<typeof freshDatabase>>
let dataDir: string
let server: HttpServer
let browser: Browser
let site: FixtureSite
let viewer: Signed
let runId: string

beforeAll(async () => {
  pg = await freshDatabase()
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-trace-viewer-'))
  viewer = (await usersByRole(pg.db, 'trace')).viewer
  const app = keptApp({ db: pg.db, dataDir })
  server = await listen(app, { port: 0, host: '127.0.0.1' })
  site = await startFixtureSite()
  browser = await chromium.launch({ executablePath: resolveChromium(process.env)?.path, args: CHROMIUM_ARGS })

  // A real trace of a short walk, stored as a run's evidence.
  runId = randomUUID()
  await mkdir(path.join(dataDir, 'evidence', runId), { recursive: true })
  const walk = await browser.newContext()
  await walk.tracing.start({ screenshots: true, snapshots: true })
  const page = await walk.newPage()
  await page.goto(`${site.url}/login`)
  await page.getByLabel('Email').fill('ana@example.com')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await walk.tracing.stop({ path: path.join(dataDir, 'evidence', runId, 'trace.zip') })
  await walk.close()
  const [promise] = await pg.db.insert(promises).values({ title: 'Sign in in 2 clicks', journey: `go to ${site.url}/login` }).returning()
  const now = new Date()
  await pg.db.insert(runs).values({
    id: runId,
    promiseId: promise!.id,
    trigger: 'manual',
    outcome: 'broken',
    durationMs: 900,
    startedAt: now,
    finishedAt: now,
    tracePath: `${runId}/trace.zip`,
  })
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await server?.close()
  await site?.close()
  await pg?.drop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

describe('the trace viewer', () => {
  it('opens a real trace from Kept alone, offline', { timeout: 60_000 }, async () => {
    const origin = new URL(server.url).origin
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const [name, value] = viewer.cookie.split('=') as [string, string]
    await context.addCookies([{ name, value, url: origin }])
    const requests: string[] = []
    context.on('request', (request) => requests.push(request.url()))
    const page = await context.newPage()
    await page.goto(`${server.url}/runs/${runId}/trace`)
    expect(page.url()).toContain('/trace-viewer/index.html?trace=')
    // The viewer lists the walk's actions once the service worker has read the trace.
    await page.getByText('Sign in', { exact: false }).first().waitFor({ timeout: 30_000 })
    await page.getByText(/Fill|fill/).first().waitFor({ timeout: 30_000 })
    await mkdir(SCREENSHOTS, { recursive: true })
    await page.screenshot({ path: path.join(SCREENSHOTS, 'trace-viewer.png') })
    const outside = requests.filter((url) => !url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:'))
    expect(outside, 'requests that left Kept').toEqual([])
    expect(requests.some((url) => url.includes(`/api/v1/runs/${runId}/trace`))).toBe(true)
    await context.close()
  })

  it('sends a stranger to sign in first', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${server.url}/trace-viewer/index.html`)
    expect(new URL(page.url()).pathname).toBe('/login')
    await context.close()
  })
})
