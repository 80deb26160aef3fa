import { describe, expect, it } from 'vitest'
import { describeHistory } from '../../src/ui/history-chart.tsx'
import { historyDays, rateWindows } from '../../src/ui/dashboard-data.ts'
import { safeNext } from '../../src/ui/login.tsx'
import { budgetHint, emptyValues, parsePromiseForm, valuesFromBody, type PromiseFormValues } from '../../src/ui/promise-input.ts'

// The pages' pure parts, no services: form validation, the login limit,
// the chart's words, redirects after sign-in.

const journey = 'go to https://shop.example.com\nclick "Shop now"\nexpect "Thanks"'
const form = (over: Partial<PromiseFormValues> = {}): PromiseFormValues => ({
  ...emptyValues('ana@example.com'),
  title: 'Order online in 3 clicks',
  journey,
  ...over,
})

describe('the promise form', () => {
  it('turns typed strings into the rulebook’s shape', () => {
    const parsed = parsePromiseForm(form({ maxClicks: '3', maxSeconds: '60.5', dailyCustomers: '1200', detractorPercent: '10', channels: ['c1', 'c1'] }), new Set(['c1']))
    expect(parsed).toMatchObject({
      ok: true,
      channels: ['c1'],
      input: { title: 'Order online in 3 clicks', budgets: { maxClicks: 3, maxSeconds: 60.5 }, schedule: { everySeconds: 300 }, dailyCustomers: 1200, detractorRate: 0.1, marketingOwner: 'ana@example.com', techOwner: null, channels: ['c1'] },
    })
  })

  it('names each wrong field with what is expected', () => {
    const parsed = parsePromiseForm(
      form({ title: ' ', journey: 'go to https://x.test\nclik "A"', maxClicks: '2.5', everySeconds: '10', detractorPercent: '140', techOwner: 'tom', channels: ['gone'] }),
      new Set(),
    )
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(Object.keys(parsed.errors).sort()).toEqual(['channels', 'detractorPercent', 'everySeconds', 'journey', 'maxClicks', 'techOwner', 'title'])
    expect(parsed.errors.journey).toMatch(/^Line 2: expected a step such as go to/)
    expect(parsed.errors.everySeconds).toBe('Expected at least 30 seconds.')
  })

  it('checks a cron pattern in its time zone', () => {
    const ok = parsePromiseForm(form({ scheduleKind: 'cron', cron: '0 9 * * 1-5', timezone: 'Europe/Paris' }), new Set())
    expect(ok).toMatchObject({ ok: true, input: { schedule: { cron: '0 9 * * 1-5', timezone: 'Europe/Paris' } } })
    const bad = parsePromiseForm(form({ scheduleKind: 'cron', cron: 'every day', timezone: 'Mars/Olympus' }), new Set())
    expect(bad.ok ? {} : Object.keys(bad.errors).sort()).toEqual(['cron', 'timezone'])
  })

  it('reads repeated checkboxes and ignores unknown values', () => {
    expect(valuesFromBody({ channels: ['a', 'b'], device: 'tablet', scheduleKind: 'x' })).toMatchObject({ channels: ['a', 'b'], device: 'desktop', scheduleKind: 'every' })
    expect(valuesFromBody({ channels: 'a' }).channels).toEqual(['a'])
  })

  it('words the suggested budgets', () => {
    expect(budgetHint({ maxClicks: 1, maxSeconds: 60 })).toBe('Suggested from your wording: at most 1 click, 60 s in all. Change them if the promise means something else.')
    expect(budgetHint({})).toMatch(/^Leave a budget empty/)
  })
})

describe('small pieces', () => {
  it('redirects after sign-in only to a path of this site', () => {
    expect(safeNext('/promises/1?x=2')).toBe('/promises/1?x=2')
    expect(safeNext('/a/../b#top')).toBe('/b#top')
    for (const bad of ['//evil.test/', '/\\evil.test', '/\t/evil.test', '/\n/evil.test', '/\\/evil.test', 'https://evil.test/', 'javascript:alert(1)', '', null]) {
      expect(safeNext(bad), String(bad)).toBe('/')
    }
  })

  it('describes the history chart in words', () => {
    const days = historyDays(new Date('2026-11-23T12:00:00Z'))
    expect(days).toHaveLength(30)
    expect(days.at(-1)).toBe('2026-11-23')
    expect(rateWindows(new Date('2026-11-23T12:00:00Z')).since7.toISOString()).toBe('2026-11-17T00:00:00.000Z')
    const series = days.map((day) => ({ day, counted: 0, kept: 0, broken: 0 }))
    expect(describeHistory(series)).toBe('No runs in the last 30 days')
    series[3] = { day: days[3]!, counted: 10, kept: 8, broken: 2 }
    series[4] = { day: days[4]!, counted: 10, kept: 10, broken: 0 }
    expect(describeHistory(series)).toBe(`Kept rate per day over 30 days: 90.0 % overall; lowest 80.0 % on ${days[3]}`)
  })
})
