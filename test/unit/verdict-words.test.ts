import { describe, expect, it } from 'vitest'
import type { Budgets } from '../../src/domain/budget.ts'
import type { StepResult } from '../../src/domain/run.ts'
import { judgeRun } from '../../src/domain/verdict.ts'
import { budgetUseWords, clickPath, stepTarget, techTeamNote, verdictWords, type WalkFacts } from '../../src/domain/verdict-words.ts'

const step = (line: number, text: string, durationMs: number, clicks = 0, outcome: StepResult['outcome'] = 'passed', error: string | null = null): StepResult => ({
  line,
  text,
  outcome,
  durationMs,
  clicks,
  error,
})

const order = [
  step(1, 'go to https://shop.example.com/', 700),
  step(2, 'click "Shop now"', 1500, 1),
  step(3, 'click "Add to cart"', 600, 1),
  step(4, 'click "Place order"', 700, 1),
  step(5, 'expect "Order confirmed"', 100),
]

/** The walk as the runner measures it, judged by the real verdict. */
function walk(steps: StepResult[], budgets: Budgets, extra: Partial<WalkFacts> = {}): WalkFacts {
  const clicks = steps.reduce((n, s) => n + (s.clicks ?? 0), 0)
  const durationMs = steps.reduce((n, s) => n + s.durationMs, 0)
  const vitals = extra.vitals ?? {}
  const verdict = judgeRun({ steps, clicks, durationMs, vitals }, budgets)
  return { ...verdict, steps, clicks, durationMs, vitals, ...extra }
}

describe('verdictWords: a broken walk as one sentence she can act on', () => {
  it.each([
    {
      name: 'one click too many',
      budgets: { maxClicks: 2 },
      steps: order,
      sentence: 'Customers need 3 clicks — Shop now → Add to cart → Place order — you promise 2.',
      advice: 'Promise 3, or ask the tech team to remove a step (the first click over is click "Place order").',
    },
    {
      name: 'two clicks too many',
      budgets: { maxClicks: 1 },
      steps: order,
      sentence: 'Customers need 3 clicks — Shop now → Add to cart → Place order — you promise 1.',
      advice: 'Promise 3, or ask the tech team to remove 2 steps (the first click over is click "Add to cart").',
    },
    {
      name: 'too slow in all',
      budgets: { maxSeconds: 3 },
      steps: order,
      sentence: 'Customers wait 3.6 s from the first page to the last step — the slowest step is click "Shop now", 1.5 s — you promise 3 s.',
      advice: 'Ask the tech team to make click "Shop now" faster, or promise 5 s.',
    },
    {
      name: 'one slow step',
      budgets: { maxStepSeconds: 1 },
      steps: order,
      sentence: 'One step keeps customers waiting 1.5 s — click "Shop now" — you promise at most 1 s a step.',
      advice: 'Ask the tech team to make click "Shop now" faster.',
    },
    {
      name: 'a step that fails',
      budgets: { maxClicks: 3 },
      steps: [...order.slice(0, 3), step(4, 'click "Place order"', 2000, 0, 'failed', 'no button or link "Place order" on https://shop.example.com/cart'), step(5, 'expect "Order confirmed"', 0, 0, 'skipped')],
      sentence: 'Customers cannot get past line 4, click "Place order": no button or link "Place order" on https://shop.example.com/cart.',
      advice: 'Ask the tech team to fix it; if the site changed on purpose, change the journey instead.',
    },
  ])('$name', ({ budgets, steps, sentence, advice }) => {
    const w = walk(steps, budgets)
    expect(w.outcome).toBe('broken')
    expect(verdictWords(w, budgets)).toEqual({ sentence, advice })
  })

  it('says the slow main content and the accessibility issues in plain words', () => {
    const lcp = walk(order, { maxLcpMs: 2500 }, { vitals: { lcpMs: 3400 } })
    expect(verdictWords(lcp, { maxLcpMs: 2500 }).sentence).toBe('The page’s main content took 3.4 s to show, you promise 2.5 s.')
    const a11y = walk(order, { maxA11yViolations: 0 }, { vitals: { a11yViolations: 5 } })
    expect(verdictWords(a11y, { maxA11yViolations: 0 }).sentence).toBe(
      'Customers using a screen reader or a keyboard meet 5 accessibility issues on the way, you allow 0.',
    )
  })

  it('calls our own failure ours, with nothing to ask of the tech team about the site', () => {
    const w: WalkFacts = { outcome: 'error', clicks: 0, durationMs: 0, steps: [], failure: { kind: 'error', message: 'the browser could not start' } }
    const words = verdictWords(w, { maxClicks: 3 })
    expect(words.sentence).toBe('Kept could not walk the journey: the browser could not start.')
    expect(words.advice).toContain('not the site’s')
  })
})

describe('verdictWords and budgetUseWords: a kept walk shows her numbers against what customers lived', () => {
  it('says each budget used', () => {
    const budgets = { maxClicks: 4, maxSeconds: 60, maxStepSeconds: 10, maxLcpMs: 2500, maxA11yViolations: 2 }
    const w = walk(order, budgets, { vitals: { lcpMs: 400, a11yViolations: 0 } })
    expect(budgetUseWords(w, budgets)).toEqual([
      '3 of 4 clicks allowed',
      '3.6 s of 60 s allowed',
      'slowest step 1.5 s of 10 s allowed',
      'main content shown in 0.4 s of 2.5 s allowed',
      '0 of 2 accessibility issues allowed',
    ])
    expect(verdictWords(w, budgets)).toEqual({
      sentence: 'Kept: 3 of 4 clicks allowed, 3.6 s of 60 s allowed, slowest step 1.5 s of 10 s allowed, main content shown in 0.4 s of 2.5 s allowed, 0 of 2 accessibility issues allowed.',
      advice: null,
    })
  })

  it('says a budget gone over as such, not as "3 of 2 allowed"', () => {
    const budgets = { maxClicks: 2, maxSeconds: 3, maxStepSeconds: 1 }
    expect(budgetUseWords(walk(order, budgets), budgets)).toEqual(['3 clicks, 2 allowed', '3.6 s, 3 s allowed', 'slowest step 1.5 s, 1 s allowed'])
  })

  it('leaves out vitals that were not measured, and says the steps passed when no budget is set', () => {
    expect(budgetUseWords(walk(order, { maxLcpMs: 2500 }), { maxLcpMs: 2500 })).toEqual([])
    expect(verdictWords(walk(order, {}), {}).sentence).toBe('Kept: every step passed (3 clicks, 3.6 s).')
  })

  it('warns of a close time budget with the slowest step', () => {
    const w = walk(order, { maxSeconds: 4 })
    expect(w.outcome).toBe('at_risk')
    expect(verdictWords(w, { maxSeconds: 4 })).toEqual({
      sentence: 'Kept, but close to a time budget: 3.6 s of 4 s allowed.',
      advice: 'The slowest step is click "Shop now" (1.5 s): ask the tech team to look at it before it breaks.',
    })
  })
})

describe('clickPath and stepTarget', () => {
  it.each([
    ['click "Shop now"', 'Shop now'],
    ['click "Say \\"hi\\""', 'Say "hi"'],
    ['tap “Stores”', 'Stores'],
    ['open the shop', 'open the shop'],
    ['fill "Email" with "a@b.c"', 'Email'],
  ])('%s → %s', (text, target) => expect(stepTarget({ text })).toBe(target))

  it('names a step that clicked twice once, and keeps both ends of a long path', () => {
    expect(clickPath([step(1, 'click "A"', 1, 2), step(2, 'expect "x"', 1)])).toBe('A ×2')
    const many = Array.from({ length: 13 }, (_, i) => step(i + 1, `click "S${i + 1}"`, 1, 1))
    expect(clickPath(many)).toBe('S1 → S2 → S3 → S4 → … → S11 → S12 → S13')
  })
})

describe('techTeamNote', () => {
  it('says the promise, what broke, where, what is asked and the run link', () => {
    const budgets = { maxClicks: 2, maxSeconds: 60 }
    const note = techTeamNote({
      title: 'Order online in 2 clicks',
      budgets,
      walk: walk(order, budgets),
      startedAt: new Date('2026-12-07T01:39:00Z'),
      runUrl: 'https://kept.example.com/runs/42',
    })
    expect(note.split('\n')).toEqual([
      'Promise: “Order online in 2 clicks” (at most 2 clicks, 60 s in all)',
      'Broken on the walk of 7 Dec 01:39 UTC: Customers need 3 clicks — Shop now → Add to cart → Place order — you promise 2.',
      'Where: line 4, click "Place order"',
      'What is asked: Promise 3, or ask the tech team to remove a step (the first click over is click "Place order").',
      'Steps:',
      '  1. go to https://shop.example.com/ — passed, 0.7 s',
      '  2. click "Shop now" — passed, 1.5 s, 1 click',
      '  3. click "Add to cart" — passed, 0.6 s, 1 click',
      '  4. click "Place order" — passed, 0.7 s, 1 click',
      '  5. expect "Order confirmed" — passed, 0.1 s',
      'The run, with its screenshot and Playwright trace: https://kept.example.com/runs/42',
    ])
  })
})
