import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Budgets } from '../../src/domain/budget.ts'
import type { JourneySpec } from '../../src/queue/jobs.ts'
import { runJourney, type RunJourneyOptions } from '../../src/runner/run-journey.ts'
import { walkingBench } from '../support/walking.ts'

// The journey language of issue 18 against pages shaped like real apps
// (test/fixtures/language-pages.tsx), in a real Chromium: which one, the
// new steps, settling before judging, and failures in the cause's words.
// Each case asserts the verdict, the clicks and the exact words.

describe('the journey language on real-looking pages', { timeout: 90_000 }, () => {
  const bench = walkingBench('language')

  const options = (extra: Partial<RunJourneyOptions>): RunJourneyOptions => ({
    runId: randomUUID(),
    trigger: 'manual',
    dataDir: bench.dataDir,
    workerId: 'test',
    decryptSecret: (v) => v,
    ...extra,
  })
  const walk = (lines: string[], budgets: Budgets = {}, extra: Partial<RunJourneyOptions> = {}) => {
    const spec: JourneySpec = {
      promiseId: randomUUID(),
      title: 'a journey',
      journey: lines.map((line) => line.replaceAll('SITE', bench.site.url)).join('\n'),
      checkFile: null,
      budgets,
      device: 'desktop',
      secrets: {},
    }
    return runJourney(bench.pool, spec, options(extra))
  }
  const url = (path: string) => `${bench.site.url}${path}`

  it('says which one: in "…", the 2nd, the last, and an icon-only link by its test id', async () => {
    const result = await walk(
      [
        'go to SITE/products',
        'click "Add to cart" in "Sauce Labs Backpack"',
        // The backpack's button now says "Remove": the 2nd "Add to cart" is the T-shirt's.
        'click the 2nd "Add to cart"',
        'click the last "Add to cart"',
        'expect "Remove" in "Sauce Labs Backpack"',
        'expect no "Remove" in "Sauce Labs Bike Light"',
        'click test id "shopping-cart-link"',
        'expect "Sauce Labs Backpack, Sauce Labs Bolt T-Shirt, Test.allTheThings() T-Shirt"',
      ],
      { maxClicks: 4 },
    )
    expect(result.failure).toBeNull()
    expect(result).toMatchObject({ outcome: 'kept', clicks: 4 })
    expect(result.steps.map((s) => s.clicks)).toEqual([0, 1, 1, 1, 0, 0, 1, 0])
  })

  it('names come from aria-label, title and an inner image\'s alt', async () => {
    const result = await walk(['go to SITE/icons', 'click "Help"', 'expect "Results for help"', 'go to SITE/icons', 'click "Cart"', 'expect "Your cart"', 'go to SITE/icons', 'click "Close"'], { maxClicks: 3 })
    expect(result.failure).toBeNull()
    expect(result).toMatchObject({ outcome: 'kept', clicks: 3 })
  })

  it('a broken time budget names the slowest step; a step failing after it was blown reports both, the step first', async () => {
    // The wait is longer than the page's load, even on a busy machine: it is the slowest step.
    const slow = await walk(['go to SITE/icons', 'wait 3 seconds', 'click "Close"'], { maxSeconds: 2 })
    expect(slow.outcome).toBe('broken')
    expect(slow.failure).toMatchObject({ kind: 'budget', budget: 'maxSeconds', limit: 2, line: 2 })
    expect(slow.failure!.message).toMatch(/^took \d+\.\d+ s, the promise allows 2 s; the slowest step, on line 2, took 3\.\d s$/)
    expect(slow.failures).toEqual([slow.failure])

    const both = await walk(['go to SITE/icons', 'wait 3 seconds', 'click "Open"'], { maxSeconds: 2 })
    expect(both.failure).toMatchObject({ kind: 'step', line: 3, message: `no button or link "Open" on ${url('/icons')}; the page offers: "Close", "Help", "Cart"` })
    expect(both.failures!.map((f) => [f.kind, f.budget ?? null, f.line])).toEqual([
      ['step', null, 3],
      ['budget', 'maxSeconds', 2],
    ])
  })

  it('six "Add to cart" without saying which: the step fails and says how to tell them apart', async () => {
    const result = await walk(['go to SITE/products', 'click "Add to cart"'])
    expect(result).toMatchObject({ outcome: 'broken', clicks: 0 })
    expect(result.failure).toMatchObject({
      kind: 'step',
      line: 2,
      message:
        `"Add to cart" is ambiguous on ${url('/products')}: 6 elements match (button "ADD TO CART" in "Sauce Labs Backpack", ` +
        'button "ADD TO CART" in "Sauce Labs Bike Light", button "ADD TO CART" in "Sauce Labs Bolt T-Shirt", ' +
        'button "ADD TO CART" in "Sauce Labs Fleece Jacket", …); say which one, like "Add to cart" in "Sauce Labs Backpack", or the 2nd "Add to cart"',
    })
    const seventh = await walk(['go to SITE/products', 'click the 7th "Add to cart"'])
    expect(seventh.failure).toMatchObject({ line: 2, message: `no 7th button or link "Add to cart" on ${url('/products')}: the page shows 6` })
    const elsewhere = await walk(['go to SITE/products', 'click "Add to cart" in "Sauce Labs Teapot"'])
    expect(elsewhere.failure).toMatchObject({ line: 2, message: `no button or link "Add to cart" in "Sauce Labs Teapot" on ${url('/products')}: the page shows no "Sauce Labs Teapot"` })
  })

  it('settles a page after go to: the welcome dialog drawn once the app has asked its server is what "Dismiss" means, not the cookie banner', async () => {
    const result = await walk(['go to SITE/welcome-late', 'click "Dismiss"', 'expect "Welcome dismissed"', 'click "Me want it!"', 'expect "Cookie dismissed"'], { maxClicks: 2 })
    expect(result.failure).toBeNull()
    expect(result).toMatchObject({ outcome: 'kept', clicks: 2 })
  })

  it('a card below the fold of a scrolling pane inside a clipping shell is there to be scrolled to, not hidden', async () => {
    const result = await walk(['go to SITE/pane', 'click "Add to Basket" in "Juice 11"', 'expect "Added Juice 11"'], { maxClicks: 1 })
    expect(result.failure).toBeNull()
    expect(result).toMatchObject({ outcome: 'kept', clicks: 1 })
    const all = await walk(['go to SITE/pane', 'click "Add to Basket"'])
    expect(all.failure!.message).toContain('12 elements match')
  })

  it('a hidden button never matches: the visible "Dismiss" is clicked, a lone hidden one is said to be hidden', async () => {
    const shown = await walk(['go to SITE/cookies', 'click "Dismiss"', 'expect "Welcome dismissed"'], { maxClicks: 1 })
    expect(shown.failure).toBeNull()
    expect(shown).toMatchObject({ outcome: 'kept', clicks: 1 })
    const hidden = await walk(['go to SITE/cookies-only', 'click "Dismiss"'])
    expect(hidden).toMatchObject({ outcome: 'broken', clicks: 0 })
    expect(hidden.failure).toMatchObject({
      kind: 'step',
      line: 2,
      message: `no button or link "Dismiss" on ${url('/cookies-only')}: the one there is hidden (not shown to a person)`,
    })
  })

  it('a click whose handler throws fails that step, quoting the page', async () => {
    const result = await walk(['go to SITE/throws', 'click "Restart"', 'expect "Restarted"'])
    expect(result).toMatchObject({ outcome: 'broken', clicks: 1 })
    expect(result.failure).toMatchObject({ kind: 'step', line: 2, message: 'the page threw: game.cesetRart is not a function' })
    expect(result.steps.map((s) => s.outcome)).toEqual(['passed', 'failed', 'skipped'])
  })

  it('a request of the site that fails after a click fails that step', async () => {
    const result = await walk(['go to SITE/throws', 'click "Save"', 'expect "Saved"'])
    expect(result).toMatchObject({ outcome: 'broken', clicks: 1 })
    expect(result.failure).toMatchObject({ kind: 'step', line: 2, message: "the page's request POST /api/save answered HTTP 500 Internal Server Error" })
  })

  it('a click the page takes, then is busy with for longer than a person waits for a target, is a slow step, not a detached target', async () => {
    const result = await walk(['go to SITE/busy', 'click "Login"', 'expect "Products"'])
    expect(result.failure).toBeNull()
    expect(result).toMatchObject({ outcome: 'kept', clicks: 1 })
    expect(result.steps[1]!.durationMs).toBeGreaterThanOrEqual(7500)
  })

  it('a step out of time on a page that does not answer says the page was busy; one that merely waits does not', async () => {
    // Cut off at 4.5 s; the page is busy for 8 s from the click.
    const busy = await walk(['go to SITE/busy', 'click "Login"', 'expect "Products"'], { maxStepSeconds: 3 })
    expect(busy).toMatchObject({ outcome: 'broken', clicks: 1 })
    expect(busy.failure).toMatchObject({ kind: 'step', line: 2, message: 'the step took longer than 4.5 s, its time limit; the page was not responding: its own scripts kept it busy' })
    const waiting = await walk(['go to SITE/busy', 'wait for "Never shown"'], { maxStepSeconds: 3 })
    expect(waiting.failure).toMatchObject({ kind: 'step', line: 2, message: 'the step took longer than 4.5 s, its time limit' })
  })

  it('a disabled button and a covered one are said as such, not as a timeout', async () => {
    const disabled = await walk(['go to SITE/disabled', 'click "Place order"'])
    expect(disabled).toMatchObject({ outcome: 'broken', clicks: 0 })
    expect(disabled.failure).toMatchObject({ kind: 'step', line: 2, message: '"Place order" could not be clicked: it is disabled' })
    const covered = await walk(['go to SITE/overlay', 'click "Place order"'])
    expect(covered).toMatchObject({ outcome: 'broken', clicks: 0 })
    expect(covered.failure).toMatchObject({
      kind: 'step',
      line: 2,
      message: '"Place order" could not be clicked: it is covered by another element: <div#promo> "Subscribe to our newsletter"',
    })
  })

  it('ticks the unnamed checkbox of the row that says "Buy milk"; fills and presses Enter; a double click is one click', async () => {
    const result = await walk(
      [
        'go to SITE/todos',
        'fill "What needs to be done?" with "Buy milk" and press Enter',
        'fill "What needs to be done?" with "Walk the dog" and press Enter',
        'check "Buy milk"',
        'expect "1 item left"',
        'double click "Walk the dog"',
        'fill "Edit todo" with "Walk the cat"',
      ],
      { maxClicks: 2 },
    )
    expect(result.failure).toBeNull()
    expect(result).toMatchObject({ outcome: 'kept', clicks: 2 })
    expect(result.steps.map((s) => s.clicks)).toEqual([0, 0, 0, 1, 0, 1, 0])
  })

  it('ticks the unnamed checkbox of the row whose text holds the words when no row shows exactly them (an address row)', async () => {
    const result = await walk(
      ['go to SITE/todos', 'fill "What needs to be done?" with "Room 3F 121, Deck 5, USS Enterprise" and press Enter', 'fill "What needs to be done?" with "Deneva Colony, Deneva" and press Enter', 'check "Room 3F 121"', 'expect "1 item left"'],
      { maxClicks: 1 },
    )
    expect(result.failure).toBeNull()
    expect(result).toMatchObject({ outcome: 'kept', clicks: 1 })
    const none = await walk(['go to SITE/welcome-late', 'check "Room 3F 121"'])
    expect(none.failure).toMatchObject({ line: 2, message: `no checkbox "Room 3F 121" on ${url('/welcome-late')}; the page has no checkboxes or radio buttons` })
  })

  it('two rows that both say "Buy milk": the checkboxes are said as checkboxes, not by their value "on", and told apart by their order', async () => {
    const twice = ['go to SITE/todos', 'fill "What needs to be done?" with "Buy milk" and press Enter', 'fill "What needs to be done?" with "Buy milk" and press Enter']
    const which = await walk([...twice, 'check "Buy milk"'])
    expect(which).toMatchObject({ outcome: 'broken', clicks: 0 })
    expect(which.failure).toMatchObject({
      kind: 'step',
      line: 4,
      message: `"Buy milk" is ambiguous on ${url('/todos')}: 2 elements match (checkbox in "Buy milk", checkbox in "Buy milk"); say which one, like the 2nd "Buy milk" or the last "Buy milk"`,
    })
    const second = await walk([...twice, 'check the 2nd "Buy milk"', 'expect "1 item left"'], { maxClicks: 1 })
    expect(second.failure).toBeNull()
    expect(second).toMatchObject({ outcome: 'kept', clicks: 1 })
  })

  it('reads a required field\'s "Password *" as Password (not Confirm Password), and "Email:" as Email', async () => {
    const result = await walk(['go to SITE/required', 'fill "Password" with "abc"', 'fill "Confirm Password" with "abcd"', 'fill "Email" with "ana@example.com"', 'click "Sign Up"', 'expect "password 3, confirmation 4, email ana@example.com"'])
    expect(result.failure).toBeNull()
    expect(result).toMatchObject({ outcome: 'kept', clicks: 1 })
  })

  it('quotes an error message the page marks only by its class or test id', async () => {
    const result = await walk(['go to SITE/checkout-info', 'fill "First Name" with "Ana"', 'click "Continue"', 'expect "Checkout: Overview"'])
    expect(result).toMatchObject({ outcome: 'broken', clicks: 1 })
    expect(result.failure).toMatchObject({
      kind: 'step',
      line: 4,
      message: `expected "Checkout: Overview" on ${url('/checkout-info')}; the page shows "Checkout: Your Information"; the page says "Error: Last Name is required"`,
    })
  })

  it('an expected text that is not there names the closest one the page shows', async () => {
    const result = await walk(['go to SITE/todos', 'fill "What needs to be done?" with "Buy milk" and press Enter', 'check "Buy milk"', 'expect "1 item left"'])
    expect(result).toMatchObject({ outcome: 'broken', clicks: 1 })
    expect(result.failure).toMatchObject({ kind: 'step', line: 4, message: `expected "1 item left" on ${url('/todos')}; the page shows "todos"; closest text: "0 items left"` })
  })

  it('finds fields and buttons in frames of the same and of another origin', async () => {
    expect(new URL(bench.site.otherOrigin).origin).not.toBe(new URL(bench.site.url).origin)
    const result = await walk(
      ['go to SITE/frames', 'fill "Card number" with "4242"', 'fill "Coupon" with "SAVE10"', 'click "Pay"', 'expect "Paid with coupon SAVE10"'],
      { maxClicks: 1 },
    )
    expect(result.failure).toBeNull()
    expect(result).toMatchObject({ outcome: 'kept', clicks: 1 })
  })

  it('settles a single-page app before judging: the click waits for the route to ask the server and render', async () => {
    const result = await walk(['go to SITE/spa', 'click "Orders"', 'expect no "Loading"', 'expect "Order #1001"', 'expect url contains "#/orders"'])
    expect(result.failure).toBeNull()
    expect(result).toMatchObject({ outcome: 'kept', clicks: 1 })
    // The server answers the route's request after 600 ms: the click's step includes that wait, as the customer's does.
    expect(result.steps[1]!.durationMs).toBeGreaterThanOrEqual(600)
    const loading = await walk(['go to SITE/spa', 'expect no "Home"'])
    expect(loading.failure).toMatchObject({ kind: 'step', line: 2, message: `expected no "Home" on ${url('/spa')}; the page shows "Home"` })
  })

  it('quotes what the page says is wrong; {{run.email}} signs up someone new on every run', async () => {
    const signUp = (email: string) => ['go to SITE/signup', `fill "Email" with "${email}"`, 'click "Sign up"', 'expect "Welcome"']
    expect((await walk(signUp('ana@example.com'))).outcome).toBe('kept')
    expect(bench.site.signups).toEqual(['ana@example.com'])
    const again = await walk(signUp('ana@example.com'))
    expect(again).toMatchObject({ outcome: 'broken', clicks: 1 })
    expect(again.failure).toMatchObject({
      kind: 'step',
      line: 4,
      message:
        `expected "Welcome" on ${url('/signup')}; the page shows "Sign up"; the page says "This email is already taken"; ` +
        'the field "Email" is marked invalid: "Choose another email"',
    })

    const first = await walk(signUp('{{run.email}}'))
    const second = await walk(signUp('{{run.email}}'), {}, { runValues: { emailDomain: 'shop.test' } })
    expect([first.outcome, second.outcome]).toEqual(['kept', 'kept'])
    const [made, madeOnDomain] = bench.site.signups.slice(-2)
    expect(made).toMatch(/^kept-[0-9a-f]{12}@example\.com$/)
    expect(made).toBe(`kept-${first.runId.replaceAll('-', '').slice(0, 12)}@example.com`)
    expect(madeOnDomain).toMatch(/^kept-[0-9a-f]{12}@shop\.test$/)
  })

  it('hovers, double clicks, scrolls to, waits, fills in {{today}}, and follows a window the page opens', async () => {
    const result = await walk([
      'go to SITE/more',
      'hover "Account"',
      'click "Account settings"',
      'expect "Results for settings"',
      'go to SITE/more',
      'double click "Double click to edit"',
      'expect "Editing the title"',
      'expect "Today is {{today}}"',
      'scroll to "Reviews"',
      'expect "5 stars: lovely cups"',
      'wait 0.5 seconds',
      'click "Open a window"',
      'expect "Finally here"',
    ])
    expect(result.failure).toBeNull()
    expect(result).toMatchObject({ outcome: 'kept', clicks: 3 })
    expect(result.steps[10]!.durationMs).toBeGreaterThanOrEqual(500)
  })

  it('gives code checks the same helpers: run values, find() and perform() in the journey language', async () => {
    const check = (secrets: Record<string, string> = {}) =>
      runJourney(
        bench.pool,
        { promiseId: randomUUID(), title: 'in code', journey: null, checkFile: 'language.check.ts', budgets: { maxClicks: 3 }, device: 'desktop', secrets },
        options({ checksDir: path.resolve('test/fixtures/checks'), env: { KEPT_CHECKS_BASE_URL: bench.site.url } }),
      )
    const kept = await check()
    expect(kept.failure).toBeNull()
    expect(kept).toMatchObject({ outcome: 'kept', clicks: 3 })
    expect(bench.site.signups.at(-1)).toBe(`kept-${kept.runId.replaceAll('-', '').slice(0, 12)}@example.com`)

    const ambiguous = await check({ MODE: 'say-which-q7' })
    expect(ambiguous).toMatchObject({ outcome: 'broken', clicks: 0 })
    expect(ambiguous.failure).toMatchObject({ kind: 'step', line: 2, message: expect.stringMatching(/^"Add to cart" is ambiguous on .*\/products: 6 elements match .*; say which one, like "Add to cart" in "Sauce Labs Backpack", or the 2nd "Add to cart"$/) })
    expect(ambiguous.steps[1]).toMatchObject({ text: 'add something', outcome: 'failed' })
  })
})
