import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoShop, type DemoShop } from '../../src/demo/shop.tsx'
import type { Budgets } from '../../src/domain/budget.ts'
import type { Device } from '../../src/db/schema.ts'
import type { JourneySpec } from '../../src/queue/jobs.ts'
import { resolveChromium } from '../../src/runner/browser-path.ts'
import { BrowserPool } from '../../src/runner/browser-pool.ts'
import { runJourney, type RunJourneyOptions } from '../../src/runner/run-journey.ts'
import { startFixtureSite, type FixtureSite } from '../fixtures/site.tsx'

// The runner against the bundled demo shop and pages of our own, in one
// real Chromium for the whole file.

describe('runJourney', () => {
  let shop: DemoShop
  let site: FixtureSite
  let pool: BrowserPool
  let dataDir: string

  beforeAll(async () => {
    shop = await startDemoShop({ port: 0 })
    site = await startFixtureSite()
    pool = new BrowserPool({ executablePath: resolveChromium(process.env)?.path })
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-runner-'))
  })
  afterAll(async () => {
    await pool?.close()
    await shop?.close()
    await site?.close()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  const journeySpec = (journey: string[], budgets: Budgets = {}, device: Device = 'desktop'): JourneySpec => ({
    promiseId: randomUUID(),
    title: 'a test journey',
    journey: journey.join('\n'),
    checkFile: null,
    budgets,
    device,
    secrets: {},
  })
  const checkSpec = (checkFile: string, budgets: Budgets, device: Device): JourneySpec => ({
    ...journeySpec([], budgets, device),
    journey: null,
    checkFile,
  })
  const walk = (spec: JourneySpec, extra: Partial<RunJourneyOptions> = {}) =>
    runJourney(pool, spec, {
      runId: randomUUID(),
      trigger: 'manual',
      dataDir,
      workerId: 'test',
      decryptSecret: (value) => value,
      checksDir: path.resolve('checks'),
      env: { KEPT_CHECKS_BASE_URL: shop.url },
      ...extra,
    })
  const order = () => [
    `go to ${shop.url}/`,
    'click "Shop now"',
    'click "Add to cart"',
    'click "Place order"',
    'expect "Order confirmed"',
  ]

  it('a kept journey reports kept with exactly the clicks a person needs', async () => {
    const result = await walk(journeySpec(order(), { maxClicks: 3, maxSeconds: 30 }))
    expect(result).toMatchObject({ outcome: 'kept', clicks: 3, failure: null, screenshotPath: null, tracePath: null })
    expect(result.steps.map((s) => [s.line, s.outcome, s.clicks])).toEqual([
      [1, 'passed', 0],
      [2, 'passed', 1],
      [3, 'passed', 1],
      [4, 'passed', 1],
      [5, 'passed', 0],
    ])
    const stepsTotal = result.steps.reduce((sum, s) => sum + s.durationMs, 0)
    expect(result.durationMs).toBeGreaterThanOrEqual(stepsTotal)
    expect(result.vitals.lcpMs).toBeGreaterThan(0)
  })

  it('a try (trigger test) keeps its screenshot and trace even when kept', async () => {
    const result = await walk(journeySpec(order(), { maxClicks: 3 }), { trigger: 'test' })
    expect(result).toMatchObject({ outcome: 'kept', clicks: 3, screenshotPath: `${result.runId}/screenshot.png` })
    expect(existsSync(path.join(dataDir, 'evidence', result.screenshotPath!))).toBe(true)
    expect(existsSync(path.join(dataDir, 'evidence', result.tracePath!))).toBe(true)
  })

  it('one click more than the budget is broken, naming maxClicks, with evidence', async () => {
    const result = await walk(journeySpec(order(), { maxClicks: 2 }))
    expect(result.outcome).toBe('broken')
    expect(result.failure).toMatchObject({ kind: 'budget', budget: 'maxClicks', limit: 2, actual: 3 })
    expect(result.screenshotPath).toBe(`${result.runId}/screenshot.png`)
    expect(result.tracePath).toBe(`${result.runId}/trace.zip`)
    expect(existsSync(path.join(dataDir, 'evidence', result.screenshotPath!))).toBe(true)
    expect(existsSync(path.join(dataDir, 'evidence', result.tracePath!))).toBe(true)
  })

  it('a scheduled run whose confirmation carries the trace keeps only its screenshot; the confirmation keeps both', async () => {
    const spec = { ...journeySpec(order(), { maxClicks: 2 }), traceScheduled: false }
    const scheduled = await walk(spec, { trigger: 'schedule' })
    expect(scheduled.outcome).toBe('broken')
    expect(scheduled.screenshotPath).toBe(`${scheduled.runId}/screenshot.png`)
    expect(scheduled.tracePath).toBeNull()
    expect(existsSync(path.join(dataDir, 'evidence', scheduled.runId, 'trace.zip'))).toBe(false)

    const confirmation = await walk(spec, { trigger: 'confirm', confirmOf: scheduled.runId })
    expect(confirmation.outcome).toBe('broken')
    expect(confirmation.tracePath).toBe(`${confirmation.runId}/trace.zip`)
    expect(existsSync(path.join(dataDir, 'evidence', confirmation.tracePath!))).toBe(true)
  })

  it('a renamed button breaks that step and names the closest candidates', async () => {
    const result = await walk(
      // No step budget: the default limit leaves the target search room on busy cores.
      journeySpec([`go to ${site.url}/renamed`, 'click "Place order"', 'expect "Thank you"']),
    )
    expect(result.outcome).toBe('broken')
    expect(result.failure).toMatchObject({ kind: 'step', line: 2 })
    expect(result.failure!.message).toContain(`no button or link "Place order" on ${site.url}/renamed; closest: "Place your order"`)
    expect(result.failure!.message).not.toContain('"Help"')
    expect(result.steps.map((s) => s.outcome)).toEqual(['passed', 'failed', 'skipped'])
  })

  it('an ambiguous target breaks the step rather than guess', async () => {
    const result = await walk(journeySpec([`go to ${site.url}/ambiguous`, 'click "Add to cart"']))
    expect(result.outcome).toBe('broken')
    expect(result.failure).toMatchObject({ kind: 'step', line: 2 })
    expect(result.failure!.message).toMatch(/"Add to cart" is ambiguous .*2 elements match/)
    expect(result.clicks).toBe(0)
  })

  it('a slow page breaks the time budget', async () => {
    const result = await walk(journeySpec([`go to ${site.url}/slow?ms=1500`, 'expect "Finally here"'], { maxSeconds: 1 }))
    expect(result.outcome).toBe('broken')
    expect(result.failure).toMatchObject({ kind: 'budget', budget: 'maxSeconds', limit: 1 })
    expect(result.failure!.actual).toBeGreaterThan(1)
    expect(result.steps.every((s) => s.outcome === 'passed')).toBe(true)
  })

  it('a page slower than the step limit is cut off: the step fails', async () => {
    const result = await walk(journeySpec([`go to ${site.url}/slow?ms=4000`, 'expect "Finally here"'], { maxStepSeconds: 1 }))
    expect(result.outcome).toBe('broken')
    expect(result.failure).toMatchObject({ kind: 'step', line: 1 })
    expect(result.failure!.message).toMatch(/1\.5 s/)
    expect(result.steps.map((s) => s.outcome)).toEqual(['failed', 'skipped'])
  })

  it('judges LCP and accessibility budgets when set', { timeout: 90_000 }, async () => {
    const lcp = await walk(journeySpec([`go to ${shop.url}/`, 'expect "Demo Coffee Shop"'], { maxLcpMs: 1 }))
    expect(lcp.outcome).toBe('broken')
    expect(lcp.failure).toMatchObject({ kind: 'budget', budget: 'maxLcpMs', limit: 1 })
    expect(lcp.vitals.lcpMs).toBeGreaterThan(1)

    const axe = await walk(journeySpec([`go to ${site.url}/inaccessible`, 'expect "Hard to use"'], { maxA11yViolations: 1 }))
    expect(axe.vitals.a11yViolations).toBe(2)
    expect(axe.failure).toMatchObject({ kind: 'budget', budget: 'maxA11yViolations', limit: 1, actual: 2 })
    const clean = await walk(journeySpec([`go to ${shop.url}/`, 'click "Stores"'], { maxA11yViolations: 0 }))
    expect(clean).toMatchObject({ outcome: 'kept', vitals: { a11yViolations: 0 } })
  })

  it('a walk longer than its run limit is cut off where it is', { timeout: 60_000 }, async () => {
    const words = await walk(journeySpec([`go to ${shop.url}/`, `go to ${site.url}/slow?ms=5000`, 'expect "Finally here"']), {
      timeoutMs: 2500,
    })
    expect(words.outcome).toBe('broken')
    expect(words.failure).toMatchObject({ kind: 'step', line: 2, message: 'the journey ran out of time: it may take 2.5 s in all' })

    const fixtures = path.resolve('test/fixtures/checks')
    const hung = await walk(checkSpec('stuck.check.ts', {}, 'desktop'), { checksDir: fixtures, timeoutMs: 2500 })
    expect(hung.outcome).toBe('broken')
    expect(hung.steps.map((s) => [s.line, s.text, s.outcome])).toEqual([
      [1, 'go to the shop', 'passed'],
      [2, '(outside any step)', 'failed'],
    ])
    expect(hung.failure).toMatchObject({ kind: 'step', line: 2, message: 'the check ran out of time: it may take 2.5 s in all' })

    // The secret "fail" is masked in words, never in the outcome "failed".
    const failed = await walk({ ...checkSpec('stuck.check.ts', {}, 'desktop'), secrets: { MODE: 'fail' } }, { checksDir: fixtures })
    expect(failed.failure).toMatchObject({ kind: 'step', line: 2, message: 'the price should be €12' })
    expect(failed.steps[1]).toMatchObject({ text: 'check the price', outcome: 'failed' })
  })

  it('a code check is measured like the same journey in words', { timeout: 60_000 }, async () => {
    const words = await walk(journeySpec(order(), { maxClicks: 3 }))
    const code = await walk(checkSpec('order.check.ts', { maxClicks: 3 }, 'desktop'))
    expect(code).toMatchObject({ outcome: 'kept', clicks: words.clicks })
    expect(code.clicks).toBe(3)
    expect(code.steps.map((s) => [s.line, s.text, s.clicks])).toEqual([
      [1, 'go to the shop', 0],
      [2, 'click "Shop now"', 1],
      [3, 'click "Add to cart"', 1],
      [4, 'click "Place order"', 1],
      [5, 'expect "Order confirmed"', 0],
    ])
  })

  it('on a phone, taps count once, in words and in code', { timeout: 60_000 }, async () => {
    const words = await walk(
      journeySpec([`go to ${shop.url}/`, 'tap "Stores"', 'click "Paris"', 'expect "Open 9:00"'], { maxClicks: 2 }, 'phone'),
    )
    expect(words).toMatchObject({ outcome: 'kept', clicks: 2 })
    const code = await walk(checkSpec('store.check.ts', { maxClicks: 2 }, 'phone'))
    expect(code).toMatchObject({ outcome: 'kept', clicks: 2 })
  })

  it('counts a label forwarding its click once, and keys not at all; waits for late targets', async () => {
    const result = await walk(
      journeySpec([
        `go to ${site.url}/form`,
        'check "I agree to the terms"',
        'click "Continue"',
        'expect "All set"',
        'fill "Search the shop" with "cups"',
        'press Enter',
        'expect "Results for cups"',
        'expect url contains "/search?q=cups"',
      ]),
    )
    expect(result.failure).toBeNull()
    expect(result.outcome).toBe('kept')
    expect(result.steps.map((s) => s.clicks)).toEqual([0, 1, 1, 0, 0, 0, 0, 0])
  })

  it('counts clicks on a page that silences its console', async () => {
    const result = await walk(journeySpec([`go to ${site.url}/quiet`, 'click "Search quietly"', 'expect "Results for quiet"']))
    expect(result.failure).toBeNull()
    expect(result.steps.map((s) => s.clicks)).toEqual([0, 1, 0])
  })

  it('follows a link into the new tab it opens, as a person would', async () => {
    const result = await walk(journeySpec([`go to ${site.url}/tabs`, 'click "Open the details"', 'expect "Finally here"']))
    expect(result.failure?.message ?? null).toBeNull()
    expect(result).toMatchObject({ outcome: 'kept', clicks: 1 })
  })

  it('gives every run a fresh context and closes it: no cookie leaks, one browser', { timeout: 90_000 }, async () => {
    const launches = pool.launches
    const addToCart = journeySpec([`go to ${shop.url}/`, 'click "Shop now"', 'click "Add to cart"', 'expect "1 × Espresso cup"'])
    const emptyCart = journeySpec([`go to ${shop.url}/cart`, 'expect "Your cart is empty."'])
    const outcomes: string[] = []
    for (const spec of [addToCart, emptyCart, addToCart, emptyCart, journeySpec([`go to ${site.url}/renamed`, 'click "Nope"'], { maxStepSeconds: 0.5 })]) {
      outcomes.push((await walk(spec)).outcome)
    }
    expect(outcomes).toEqual(['kept', 'kept', 'kept', 'kept', 'broken'])
    expect(await pool.openContexts()).toBe(0)
    expect(pool.launches).toBe(launches)
  })

  it('launches the browser again after it died, once for runs that start together', { timeout: 60_000 }, async () => {
    const browser = await pool.acquire()
    const before = pool.launches
    await browser.close()
    const spec = journeySpec([`go to ${shop.url}/`, 'expect "Demo Coffee Shop"'])
    const results = await Promise.all([walk(spec), walk(spec)])
    expect(results.map((r) => r.outcome)).toEqual(['kept', 'kept'])
    expect(pool.launches).toBe(before + 1)
  })
})
