import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { zipSync } from 'fflate'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { breakNotes, breaks, promises, runs, type Role } from '../../src/db/schema.ts'
import { keptApp, usersByRole, type Signed, seedOwnerAlert } from '../e2e/ui-fixtures.ts'
import { freshDatabase } from '../support/db.ts'

// Every link of an alert opens: the run page, the break page, the
// screenshot and the trace, to a signed-in user; a stranger's browser is
// sent to sign in and back, an API client gets 401 problem JSON.

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')

let pg: Awaited<ReturnType<typeof freshDatabase>>
let dataDir: string
let http: Hono
let who: Record<Role, Signed>
let ids: { promiseId: string; firstRunId: string; confirmRunId: string; breakId: string; damagedRunId: string; overRunId: string }

beforeAll(async () => {
  pg = await freshDatabase()
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-ui-runs-'))
  who = await usersByRole(pg.db, 'runs')
  http = keptApp({ db: pg.db, dataDir })

  const [promise] = await pg.db.insert(promises).values({ title: 'Order <online> in 3 clicks', journey: 'go to http://127.0.0.1:4100/', budgets: { maxClicks: 3, maxSeconds: 60 }, techOwner: 'tom@example.com' }).returning()
  const started = new Date(Date.now() - 30 * 60_000)
  const failure = { kind: 'step' as const, line: 3, message: 'expected the button "Place order", the page has none' }
  const timeBudget = { kind: 'budget' as const, budget: 'maxSeconds' as const, limit: 5, actual: 5.5, line: 3, message: 'took 5.5 s, the promise allows 5 s; the slowest step, on line 3, took 5.0 s' }
  const steps = [
    { line: 1, text: 'go to http://127.0.0.1:4100/', outcome: 'passed' as const, durationMs: 300, clicks: 0 },
    { line: 2, text: 'click "Shop now"', outcome: 'passed' as const, durationMs: 200, clicks: 1 },
    { line: 3, text: 'click "Place order"', outcome: 'failed' as const, durationMs: 5000, clicks: 0, error: failure.message },
  ]
  const firstRunId = randomUUID()
  const confirmRunId = randomUUID()
  const damagedRunId = randomUUID()
  for (const [id, trigger, confirmOf, zip] of [
    [firstRunId, 'schedule', null, null],
    [confirmRunId, 'confirm', firstRunId, zipSync({ 'trace.trace': new TextEncoder().encode('{}') })],
    [damagedRunId, 'manual', null, Buffer.from('this is not a zip')],
  ] as const) {
    await mkdir(path.join(dataDir, 'evidence', id), { recursive: true })
    await writeFile(path.join(dataDir, 'evidence', id, 'screenshot.png'), PNG)
    if (zip) await writeFile(path.join(dataDir, 'evidence', id, 'trace.zip'), zip)
    await pg.db.insert(runs).values({
      id,
      promiseId: promise!.id,
      trigger,
      outcome: 'broken',
      clicks: 1,
      durationMs: 5500,
      startedAt: started,
      finishedAt: new Date(started.getTime() + 5500),
      steps,
      failure,
      // The manual run's step failed after its time budget was blown: both are on record.
      failures: id === damagedRunId ? [failure, timeBudget] : null,
      vitals: { lcpMs: 812, a11yViolations: 2 },
      screenshotPath: `${id}/screenshot.png`,
      tracePath: zip ? `${id}/trace.zip` : null,
      confirmOf,
    })
  }
  const [brk] = await pg.db
    .insert(breaks)
    .values({ promiseId: promise!.id, openedAt: new Date(started.getTime() + 10_000), firstRunId, openedByRunId: confirmRunId, failure })
    .returning()
  await seedOwnerAlert(pg.db, brk!.id, new Date(started.getTime() + 11_000))
  await pg.db.insert(breakNotes).values({ breakId: brk!.id, author: 'tech-runs@example.com', body: 'Checkout <script> deploy rolled back' })
  // A walk whose every step passed, one click over the promise: the step of that click is marked.
  const overRunId = randomUUID()
  await pg.db.insert(runs).values({
    id: overRunId,
    promiseId: promise!.id,
    trigger: 'schedule',
    outcome: 'broken',
    clicks: 4,
    durationMs: 2200,
    startedAt: started,
    finishedAt: new Date(started.getTime() + 2200),
    steps: [
      { line: 1, text: 'go to http://127.0.0.1:4100/', outcome: 'passed', durationMs: 300, clicks: 0 },
      { line: 2, text: 'click "Shop now"', outcome: 'passed', durationMs: 400, clicks: 1 },
      { line: 3, text: 'click "Espresso cup"', outcome: 'passed', durationMs: 400, clicks: 1 },
      { line: 4, text: 'click "Add to cart"', outcome: 'passed', durationMs: 500, clicks: 1 },
      { line: 5, text: 'click "Place order"', outcome: 'passed', durationMs: 600, clicks: 1 },
    ],
    failure: { kind: 'budget', budget: 'maxClicks', limit: 3, actual: 4, line: 5, message: 'took 4 clicks, the promise allows 3' },
    vitals: {},
  })
  ids = { promiseId: promise!.id, firstRunId, confirmRunId, breakId: brk!.id, damagedRunId, overRunId }
})
afterAll(async () => {
  await pg?.drop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const get = (pathName: string, init: { user?: Signed; accept?: string; host?: string } = {}) =>
  http.request(`http://${init.host ?? '127.0.0.1:3000'}${pathName}`, {
    headers: { ...(init.user ? { cookie: init.user.cookie } : {}), ...(init.accept ? { accept: init.accept } : {}) },
  })

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

describe('the run page', () => {
  it('shows the steps, the failing one marked, numbers against the budgets, vitals, screenshot and trace', async () => {
    const res = await get(`/runs/${ids.confirmRunId}`, { user: who.viewer })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('Run of “Order &lt;online&gt; in 3 clicks”')
    // The verdict as a sentence, with what to do and the note for the tech team.
    expect(html).toContain('Customers cannot get past line 3, click &quot;Place order&quot;: expected the button &quot;Place order&quot;, the page has none.')
    expect(html).toContain('Ask the tech team to fix it')
    expect(html).toMatch(/<pre class="note-text" id="note-[^"]+">Promise: “Order &lt;online&gt; in 3 clicks” \(at most 3 clicks, 60 s in all\)/)
    expect(html).toContain(`The run, with its screenshot and Playwright trace: http://127.0.0.1:3000/runs/${ids.confirmRunId}`)
    expect(html).toMatch(/<tr class="step-failed"><td class="num" data-label="Line">3<\/td>/)
    expect(html).toContain('1 of 3 clicks allowed')
    expect(html).toContain('5.5 s of 60 s allowed')
    expect(html).toContain('812 ms')
    expect(html).toContain('2 violations')
    expect(html).toContain(`src="/api/v1/runs/${ids.confirmRunId}/screenshot"`)
    expect(html).toContain(`/trace-viewer/index.html?trace=${encodeURIComponent(`/api/v1/runs/${ids.confirmRunId}/trace`)}`)
    expect(html).toContain(`href="/breaks/${ids.breakId}"`)
    expect(html).toContain(`href="/runs/${ids.firstRunId}"`)
  })

  it('says a broken budget as a sentence and marks the step that went over, not a ✓', async () => {
    const html = await (await get(`/runs/${ids.overRunId}`, { user: who.viewer })).text()
    expect(html).toContain('Customers need 4 clicks — Shop now → Espresso cup → Add to cart → Place order — you promise 3.')
    expect(html).toContain('Promise 4, or ask the tech team to remove a step (the first click over is click &quot;Place order&quot;).')
    expect(html).toContain('4 clicks, 3 allowed')
    const row = /<tr class="step-failed"><td class="num" data-label="Line">5<\/td>(.*?)<\/tr>/.exec(html)?.[1] ?? ''
    expect(row).toContain('Over budget')
    expect(row).toContain('The first click over the 3 the promise allows.')
    expect(row).not.toContain('b-passed')
    // Only that step: the others passed within the budget.
    expect(html.match(/class="step-failed"/g)).toHaveLength(1)
  })

  it('lists every failure in order when a step failed after a budget was blown', async () => {
    const html = await (await get(`/runs/${ids.damagedRunId}`, { user: who.viewer })).text()
    expect(html).toContain('It broke in 2 ways, in order:')
    expect(html).toContain(
      '<li>Line 3: expected the button &quot;Place order&quot;, the page has none</li><li>Line 3: took 5.5 s, the promise allows 5 s; the slowest step, on line 3, took 5.0 s</li>',
    )
    // One failure: one sentence, as before.
    expect(await (await get(`/runs/${ids.confirmRunId}`, { user: who.viewer })).text()).not.toContain('ways, in order:')
  })

  it('says a damaged trace is damaged, and still offers its download', async () => {
    const html = await (await get(`/runs/${ids.damagedRunId}`, { user: who.viewer })).text()
    expect(html).toContain('The stored trace of this run is damaged (not a zip)')
    expect(html).toContain(`href="/api/v1/runs/${ids.damagedRunId}/trace"`)
    const page = await get(`/runs/${ids.damagedRunId}/trace`, { user: who.viewer })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('damaged')
  })

  it('opens the viewer on a secure context, and explains the download elsewhere', async () => {
    const local = await get(`/runs/${ids.confirmRunId}/trace`, { user: who.viewer })
    expect(local.status).toBe(303)
    expect(local.headers.get('location')).toContain('/trace-viewer/index.html?trace=')
    const remote = await get(`/runs/${ids.confirmRunId}/trace`, { user: who.viewer, host: 'kept.internal:3000' })
    expect(remote.status).toBe(200)
    const html = await remote.text()
    expect(html).toContain('needs https or a localhost address')
    expect(html).toContain('npx playwright show-trace trace.zip')
  })

  it('answers 404 for an unknown or malformed id', async () => {
    expect((await get(`/runs/${randomUUID()}`, { user: who.viewer })).status).toBe(404)
    expect((await get('/runs/not-a-uuid', { user: who.viewer })).status).toBe(404)
    expect((await get(`/breaks/${randomUUID()}`, { user: who.viewer })).status).toBe(404)
  })

  it('says evidence it could not keep under Evidence, not as a way the run broke', async () => {
    const id = randomUUID()
    const started = new Date(Date.now() - 20 * 60_000)
    const failure = { kind: 'step' as const, line: 1, message: 'expected "Order confirmed", the page has none' }
    const notStored = 'the screenshot could not be stored in the evidence store (s3://kept-evidence/prod), tried for 10 min (KEPT_EVIDENCE_RETRY_SECONDS): connect ECONNREFUSED 127.0.0.1:9000'
    await pg.db.insert(runs).values({
      id,
      promiseId: ids.promiseId,
      trigger: 'manual',
      outcome: 'broken',
      clicks: 0,
      durationMs: 900,
      startedAt: started,
      finishedAt: new Date(started.getTime() + 900),
      steps: [{ line: 1, text: 'expect "Order confirmed"', outcome: 'failed', durationMs: 900, error: failure.message }],
      failure,
      failures: [failure, { kind: 'error', message: notStored, evidence: true }],
      vitals: {},
      screenshotPath: null,
      tracePath: null,
    })
    const html = await (await get(`/runs/${id}`, { user: who.viewer })).text()
    expect(html).not.toContain('It broke in')
    const evidence = html.slice(html.indexOf('<h2>Evidence</h2>'))
    expect(evidence).toContain("Kept could not keep all of this run&#39;s evidence:")
    expect(evidence).toContain(`<li>${notStored}</li>`)
    expect(evidence).toContain('No screenshot: it was not kept (above).')
  })
})

describe('the break page', () => {
  it('tells what happened in time order, with its evidence', async () => {
    const res = await get(`/breaks/${ids.breakId}`, { user: who.tech })
    expect(res.status).toBe(200)
    const html = await res.text()
    const order = ['A broken run', 'Break opened', 'Alert email for tech owner tom@example.com kept in the', 'Note by']
    const at = order.map((words) => html.indexOf(words))
    expect(at.every((i) => i > 0), JSON.stringify(at)).toBe(true)
    expect([...at].sort((a, b) => a - b)).toEqual(at)
    expect(html).toContain('Checkout &lt;script&gt; deploy rolled back')
    expect(html).toContain(`src="/api/v1/runs/${ids.confirmRunId}/screenshot"`)
    expect(html).toContain('Acknowledge: I am on it')
    expect(html).toContain('Add a note')
  })

  it('offers no forms to a viewer, and acknowledging comes back to the page', async () => {
    const viewer = await (await get(`/breaks/${ids.breakId}`, { user: who.viewer })).text()
    expect(viewer).not.toContain('Acknowledge: I am on it')
    const form = new URLSearchParams({ _csrf: who.tech.csrf })
    const ack = await http.request(`http://127.0.0.1:3000/breaks/${ids.breakId}/ack`, {
      method: 'POST',
      headers: { cookie: who.tech.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    })
    expect(ack.status).toBe(303)
    expect(ack.headers.get('location')).toBe(`/breaks/${ids.breakId}?notice=acknowledged`)
    const after = await (await get(`/breaks/${ids.breakId}?notice=acknowledged`, { user: who.tech })).text()
    expect(after).toContain('Acknowledged')
    expect(after).toContain('by tech-runs@example.com')
  })
})

describe('every alert link, signed in or not', () => {
  const links = () => [
    `/promises/${ids.promiseId}`,
    `/breaks/${ids.breakId}`,
    `/runs/${ids.confirmRunId}`,
    `/api/v1/runs/${ids.confirmRunId}/screenshot`,
    `/api/v1/runs/${ids.confirmRunId}/trace`,
  ]

  it('answers 200 to a signed-in user', async () => {
    for (const link of links()) expect((await get(link, { user: who.viewer, accept: BROWSER })).status, link).toBe(200)
  })

  it('sends a stranger\'s browser to sign in and back to the same link', async () => {
    for (const link of links()) {
      const res = await get(link, { accept: BROWSER })
      expect(res.status, link).toBe(303)
      expect(res.headers.get('location'), link).toBe(`/login?next=${encodeURIComponent(link)}`)
    }
  })

  it('keeps answering 401 problem JSON to an API client', async () => {
    const res = await get(`/api/v1/runs/${ids.confirmRunId}/screenshot`, { accept: 'application/json' })
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect((await get(`/api/v1/runs/${ids.confirmRunId}/trace`)).status).toBe(401)
  })
})
