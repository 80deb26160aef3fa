import { describe, expect, it } from 'vitest'
import { buildAlertMessage, explainFailure, explainFailures, type BreakFacts } from '../../src/domain/alert-message.ts'
import { formatDuration, formatTime } from '../../src/domain/format.ts'

const minute = 60_000
const openedAt = new Date('2026-05-12T14:02:00Z')
const now = new Date(openedAt.getTime() + 12 * minute)

function facts(overrides: Partial<BreakFacts> = {}): BreakFacts {
  return {
    promise: { id: 'p1', title: 'Order online in 3 clicks', techOwner: 'tom@example.com', marketingOwner: 'ana@example.com' },
    break: { id: 'b1', openedAt, resolvedAt: null },
    run: {
      id: 'r1',
      startedAt: openedAt,
      steps: [
        { line: 1, text: 'go to http://127.0.0.1:4100/', outcome: 'passed', durationMs: 300 },
        { line: 2, text: 'click "Shop now"', outcome: 'passed', durationMs: 200 },
        { line: 4, text: 'click "Place order"', outcome: 'failed', durationMs: 5000, error: 'no button' },
        { line: 5, text: 'expect "Order confirmed"', outcome: 'skipped', durationMs: 0 },
      ],
      failure: {
        kind: 'step',
        line: 4,
        message: 'expected the text "Order confirmed", the page shows "Sorry, something went wrong"',
      },
    },
    lastKeptRunAt: new Date('2026-05-12T13:58:00Z'),
    links: {
      promiseUrl: 'https://kept.example.com/promises/p1',
      breakUrl: 'https://kept.example.com/breaks/b1',
      runUrl: 'https://kept.example.com/runs/r1',
      screenshotUrl: 'https://kept.example.com/api/v1/runs/r1/screenshot',
      traceUrl: 'https://kept.example.com/api/v1/runs/r1/trace',
    },
    ...overrides,
  }
}

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [-5000, '0 s'],
    [45_000, '45 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [12 * minute + 30_000, '12 min'],
    [60 * minute, '1 h'],
    [72 * minute, '1 h 12 min'],
    [24 * 60 * minute, '1 d'],
    [(2 * 24 + 3) * 60 * minute + 59 * minute, '2 d 3 h'],
  ])('%i ms reads "%s"', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected)
  })
})

describe('formatTime', () => {
  it('writes the time in the given zone with its name', () => {
    expect(formatTime(openedAt)).toBe('2026-05-12 14:02 UTC')
    expect(formatTime(openedAt, 'Europe/Paris')).toBe('2026-05-12 16:02 Europe/Paris')
  })
})

describe('open alert', () => {
  const message = buildAlertMessage({ kind: 'open', facts: facts() }, { now })

  it('names the promise in its own words in the subject', () => {
    expect(message.subject).toBe('Broken: “Order online in 3 clicks”')
    expect(message.event).toBe('break.opened')
  })

  it('says which step failed, why, since when, and the last kept run', () => {
    expect(message.text).toContain('is broken since 2026-05-12 14:02 UTC (12 min ago)')
    expect(message.text).toContain('Failing step: line 4: click "Place order"')
    expect(message.text).toContain('the page shows "Sorry, something went wrong"')
    expect(message.text).toContain('Last kept run: 2026-05-12 13:58 UTC')
    expect(message.text).toContain('Tech owner: tom@example.com')
  })

  it('links the run, the screenshot, the trace and the promise', () => {
    expect(message.links.map((l) => l.label)).toEqual(['Run', 'Screenshot', 'Trace', 'Promise'])
    expect(message.text).toContain('Screenshot: https://kept.example.com/api/v1/runs/r1/screenshot')
    expect(message.html).toContain('<a href="https://kept.example.com/runs/r1">Run</a>')
  })

  it('escapes the promise text in html', () => {
    const html = buildAlertMessage(
      { kind: 'open', facts: facts({ promise: { id: 'p', title: '<b>Fast & "easy"</b>', techOwner: null, marketingOwner: null } }) },
      { now },
    ).html
    expect(html).toContain('&lt;b&gt;Fast &amp; &quot;easy&quot;&lt;/b&gt;')
    expect(html).not.toContain('<b>Fast')
  })

  it('says when there was never a kept run', () => {
    expect(buildAlertMessage({ kind: 'open', facts: facts({ lastKeptRunAt: null }) }, { now }).text).toContain(
      'Last kept run: none on record',
    )
  })
})

describe('explainFailure', () => {
  const withFailure = (failure: NonNullable<BreakFacts['run']>['failure']) => ({ ...facts().run!, failure })

  it('tells which budget was exceeded and by how much', () => {
    expect(explainFailure(withFailure({ kind: 'budget', budget: 'maxClicks', limit: 3, actual: 5, message: 'x' }))).toBe(
      'the journey took 5 clicks, where the promise allows at most 3 clicks (2 over, +67%)',
    )
    expect(explainFailure(withFailure({ kind: 'budget', budget: 'maxSeconds', limit: 60, actual: 72.44, message: 'x' }))).toBe(
      'the journey took 72.4 s, where the promise allows at most 60 s (12.4 s over, +21%)',
    )
    expect(
      explainFailure(withFailure({ kind: 'budget', budget: 'maxStepSeconds', limit: 10, actual: 14, line: 4, message: 'x' })),
    ).toBe('the step on line 4 took 14 s, where the promise allows at most 10 s per step (4 s over, +40%)')
    expect(explainFailure(withFailure({ kind: 'budget', budget: 'maxLcpMs', limit: 2500, actual: 3100, message: 'x' }))).toBe(
      'the largest contentful paint came after 3.1 s, where the promise allows at most 2.5 s (0.6 s over, +24%)',
    )
    expect(
      explainFailure(withFailure({ kind: 'budget', budget: 'maxA11yViolations', limit: 0, actual: 3, message: 'x' })),
    ).toBe('the page had 3 accessibility violations, where the promise allows at most 0 accessibility violations (3 over)')
  })

  it('names the slowest step of a journey that took too long', () => {
    expect(explainFailure(withFailure({ kind: 'budget', budget: 'maxSeconds', limit: 5, actual: 5.5, line: 4, message: 'x' }))).toBe(
      'the journey took 5.5 s, where the promise allows at most 5 s (0.5 s over, +10%); the slowest step was line 4 (click "Place order"), 5 s',
    )
  })

  it('falls back to the message when a budget lacks numbers', () => {
    expect(explainFailure(withFailure({ kind: 'budget', message: 'too slow' }))).toBe('a budget was exceeded: too slow')
  })

  it('names the first failed step when the failure has no line', () => {
    expect(explainFailure(withFailure({ kind: 'step', message: 'boom' }))).toBe(
      'the step on line 4 (click "Place order") failed: boom',
    )
  })

  it('says so when no run is on record', () => {
    expect(explainFailure(null)).toContain('no details recorded')
    expect(explainFailures(null)).toEqual([])
  })
})

describe('a step that failed after a budget was blown', () => {
  const step = { kind: 'step' as const, line: 4, message: 'the page threw: game.cesetRart is not a function' }
  const clicks = { kind: 'budget' as const, budget: 'maxClicks' as const, limit: 1, actual: 2, line: 2, message: 'took 2 clicks, the promise allows 1' }
  const both = facts({ run: { ...facts().run!, failure: step, failures: [step, clicks] } })

  it('explains every failure in order, the step first', () => {
    expect(explainFailures(both.run)).toEqual([
      'the step on line 4 (click "Place order") failed: the page threw: game.cesetRart is not a function',
      'the journey took 2 clicks, where the promise allows at most 1 click (1 over, +100%)',
    ])
  })

  it('leaves out what the run says about evidence it could not keep: no way the promise broke', () => {
    const notKept = { kind: 'error' as const, message: 'the trace (63 MB) is over the limit of 50 MB (KEPT_EVIDENCE_MAX_TRACE_MB): it was not kept', evidence: true }
    const withEvidence = facts({ run: { ...facts().run!, failure: step, failures: [step, clicks, notKept] } })
    expect(explainFailures(withEvidence.run)).toEqual(explainFailures(both.run))
  })

  it('says both in the alert: why, and also', () => {
    const message = buildAlertMessage({ kind: 'open', facts: both }, { now })
    expect(message.fields.slice(0, 2)).toEqual([
      { label: 'Why', value: 'the step on line 4 (click "Place order") failed: the page threw: game.cesetRart is not a function' },
      { label: 'Also', value: 'the journey took 2 clicks, where the promise allows at most 1 click (1 over, +100%)' },
    ])
    expect(message.summary).toBe('“Order online in 3 clicks” is broken: the step on line 4 (click "Place order") failed: the page threw: game.cesetRart is not a function')
    // One failure: no "Also".
    expect(buildAlertMessage({ kind: 'open', facts: facts() }, { now }).fields.map((f) => f.label)).not.toContain('Also')
  })
})

describe('resolve alert', () => {
  it('says how long it was broken', () => {
    const resolvedAt = new Date(openedAt.getTime() + 72 * minute)
    const message = buildAlertMessage(
      { kind: 'resolve', facts: facts({ break: { id: 'b1', openedAt, resolvedAt } }) },
      { now: resolvedAt },
    )
    expect(message.subject).toBe('Kept again: “Order online in 3 clicks” (broken for 1 h 12 min)')
    expect(message.text).toContain('is kept again since 2026-05-12 15:14 UTC. It was broken for 1 h 12 min')
    expect(message.event).toBe('break.resolved')
  })
})

describe('reminder', () => {
  it('counts the time broken and says how to stop reminders', () => {
    const later = new Date(openedAt.getTime() + (4 * 60 + 3) * minute)
    const message = buildAlertMessage({ kind: 'reminder', facts: facts(), reminder: 2 }, { now: later })
    expect(message.subject).toBe('Still broken after 4 h 3 min: “Order online in 3 clicks”')
    expect(message.text).toContain('(reminder 2)')
    expect(message.text).toContain('Acknowledge the break to stop these reminders: https://kept.example.com/breaks/b1')
  })
})

describe('grouped alert', () => {
  it('lists every broken promise in one message', () => {
    const titles = ['Order online', 'Checkout fast', 'Find a store', 'Sign in']
    const items = titles.map((title, i) =>
      facts({ promise: { id: `p${i}`, title, techOwner: null, marketingOwner: null } }),
    )
    const message = buildAlertMessage({ kind: 'grouped', items }, { now })
    expect(message.subject).toBe('4 promises broken: “Order online”, “Checkout fast” and 2 more')
    expect(message.fields.map((f) => f.label)).toEqual(titles)
    expect(message.breaks).toHaveLength(4)
    for (const title of titles) expect(message.text).toContain(title)
  })
})

describe('test alert', () => {
  it('says it is a test and names the channel', () => {
    const message = buildAlertMessage({ kind: 'test', channelName: 'Ops Slack', appUrl: 'http://127.0.0.1:3000' }, { now })
    expect(message.subject).toBe('Kept test alert for “Ops Slack”')
    expect(message.event).toBe('channel.test')
    expect(message.breaks).toEqual([])
  })
})

describe('the Slack message', () => {
  it('escapes the promise title in the top-level text as in the blocks', async () => {
    const { slackPayload } = await import('../../src/alerts/channels/slack.ts')
    const title = 'Order <https://evil.example|now> & <!channel> in 3 clicks'
    const base = facts()
    const payload = slackPayload(buildAlertMessage({ kind: 'open', facts: { ...base, promise: { ...base.promise, title } } }, { now }))
    expect(payload.text).not.toContain('<')
    expect(payload.text).toContain('&lt;!channel&gt;')
    expect(payload.text).toContain('&amp;')
  })
})
