import { describe, expect, it } from 'vitest'
import {
  computeDigest,
  direction,
  formatKeptRate,
  formatMinutes,
  headline,
  type DigestInput,
  type DigestPromiseInput,
  type RunCounts,
} from '../../src/domain/digest.ts'
import type { MaintenanceWindow } from '../../src/domain/maintenance.ts'

// 2026-W47 in Europe/Paris: 2026-11-15T23:00Z to 2026-11-22T23:00Z;
// 2026-W46 before it: 2026-11-08T23:00Z to 2026-11-15T23:00Z.
const at = (iso: string) => new Date(iso)
const span = (openedAt: string, resolvedAt: string | null) => ({
  openedAt: at(openedAt),
  resolvedAt: resolvedAt === null ? null : at(resolvedAt),
})
const noRuns: RunCounts = { runs: 0, kept: 0, atRisk: 0, broken: 0, errors: 0, p95Ms: null }
const counts = (kept: number, atRisk: number, broken: number, errors: number, p95Ms: number | null): RunCounts => ({
  runs: kept + atRisk + broken + errors,
  kept,
  atRisk,
  broken,
  errors,
  p95Ms,
})
const window = (id: string, promiseId: string | null, startsAt: string, endsAt: string): MaintenanceWindow => ({
  id,
  promiseId,
  startsAt: at(startsAt),
  endsAt: at(endsAt),
  recurCron: null,
  recurMinutes: null,
  timezone: null,
})

function promise(overrides: Partial<DigestPromiseInput> & { id: string; title: string }): DigestPromiseInput {
  return {
    dailyCustomers: 1000,
    detractorRate: 0.25,
    marketingOwner: null,
    techOwner: null,
    paused: false,
    maxSeconds: null,
    breaks: [],
    runs: noRuns,
    previousRuns: noRuns,
    ...overrides,
  }
}

const order = promise({
  id: 'a',
  title: 'Order online in 3 clicks',
  dailyCustomers: 1440,
  detractorRate: 0.25,
  marketingOwner: 'ana@example.com',
  techOwner: 'tom@example.com',
  breaks: [
    span('2026-11-10T10:00:00Z', '2026-11-10T10:30:00Z'), // week before: 30 min
    span('2026-11-15T22:00:00Z', '2026-11-16T01:00:00Z'), // 60 min before the edge, 120 after
    span('2026-11-18T10:00:00Z', '2026-11-18T11:30:00Z'), // 90 min, 30 of them in maintenance
    span('2026-11-22T22:15:00Z', null), // still open: 45 min until the week ends
  ],
  runs: counts(300, 20, 16, 4, 4000),
})
const checkout = promise({
  id: 'b',
  title: 'Checkout in under a minute',
  dailyCustomers: 2880,
  detractorRate: 0.4,
  breaks: [span('2026-11-20T08:00:00Z', '2026-11-20T09:30:00Z')], // 90 min, 10 in global maintenance
  runs: counts(200, 0, 10, 0, 20_000),
})
const store = promise({
  id: 'c',
  title: 'Find a store in 2 taps',
  dailyCustomers: 500,
  maxSeconds: 10,
  breaks: [span('2026-11-12T00:00:00Z', '2026-11-12T02:00:00Z')], // week before only: 120 min
  runs: counts(100, 3, 0, 0, 9000),
  previousRuns: counts(90, 0, 10, 0, 5000),
})
const pausedQuiet = promise({ id: 'd', title: 'Paused, nothing happened', paused: true })

const input: DigestInput = {
  week: '2026-W47',
  timezone: 'Europe/Paris',
  now: at('2026-11-23T08:00:00Z'),
  promises: [store, pausedQuiet, checkout, order],
  maintenance: [
    window('m-a', 'a', '2026-11-18T11:00:00Z', '2026-11-18T12:00:00Z'),
    window('m-all', null, '2026-11-20T09:00:00Z', '2026-11-20T09:10:00Z'),
    window('m-other', 'zz', '2026-11-16T00:00:00Z', '2026-11-17T00:00:00Z'), // another promise's
  ],
}

describe('computeDigest', () => {
  const figures = computeDigest(input)
  const byId = (id: string) => figures.promises.find((p) => p.promiseId === id)!

  it('covers the week in its time zone', () => {
    expect(figures).toMatchObject({
      week: '2026-W47',
      previousWeek: '2026-W46',
      start: '2026-11-15T23:00:00.000Z',
      end: '2026-11-22T23:00:00.000Z',
      complete: true,
    })
  })

  it('counts broken minutes inside the week only, less maintenance, and the NPS risk from them', () => {
    const a = byId('a')
    // 120 + (90 - 30) + 45 = 225 minutes of a journey 1440 customers take a day.
    expect(a.brokenMinutes).toBe(225)
    expect(a.breaks).toBe(3)
    expect(a.affectedCustomers).toBe(225)
    expect(a.likelyDetractors).toBe(56.25)
    expect(a.npsPointsAtRisk).toBe((100 * 56.25) / (1440 * 7)) // 0.558 points
    expect(a.keptRate).toBe(320 / 336) // errors not counted
    expect(formatKeptRate(a.keptRate)).toBe('95.2 %')
    // The week before: 30 + 60 minutes.
    expect(a.previous).toMatchObject({ brokenMinutes: 90, breaks: 2, affectedCustomers: 90, likelyDetractors: 22.5 })
    expect(a.change).toBe('up')

    const b = byId('b')
    // 90 - 10 minutes; 2880 customers a day: 2 a minute.
    expect(b.brokenMinutes).toBe(80)
    expect(b.affectedCustomers).toBe(160)
    expect(b.likelyDetractors).toBe(64)
    expect(b.npsPointsAtRisk).toBe((100 * 64) / (2880 * 7)) // 0.317 points
    expect(b.previous.brokenMinutes).toBe(0)
    expect(b.keptRate).toBe(200 / 210)
  })

  it('puts the worst first and leaves out a paused promise that did not break', () => {
    expect(figures.promises.map((p) => p.promiseId)).toEqual(['a', 'b', 'c'])
  })

  it('warns about a promise kept all week but close to its budget', () => {
    const c = byId('c')
    expect(c.keptAllWeek).toBe(true)
    expect(c.brokenMinutes).toBe(0)
    expect(c.change).toBe('down')
    expect(c.previous).toMatchObject({ brokenMinutes: 120, keptRate: 0.9 })
    expect(c.warnings).toEqual([
      '3 runs at risk (a time budget more than 80% used)',
      "slowest hour's p95 9.0 s of a 10 s budget (90%)",
    ])
    // Broken promises carry no early warning: they broke.
    expect(byId('a').warnings).toEqual([])
  })

  it('totals the week, weighting NPS points by daily customers', () => {
    expect(figures.totals).toMatchObject({
      promises: 3,
      keptAllWeek: 1,
      broken: 2,
      brokenMinutes: 305,
      affectedCustomers: 385,
      likelyDetractors: 120.25,
      change: 'up',
    })
    expect(figures.totals.npsPointsAtRisk).toBe((100 * 120.25) / ((1440 + 2880 + 500) * 7))
    expect(figures.totals.previous).toMatchObject({ broken: 2, brokenMinutes: 210 })
    expect(figures.headline).toBe('1 of 3 promises kept all week; 2 broke for 5 h 5 min, about 385 customers affected')
  })

  it('counts a week not over yet until now', () => {
    const during = computeDigest({ ...input, now: at('2026-11-18T10:30:00Z') })
    expect(during.complete).toBe(false)
    const a = during.promises.find((p) => p.promiseId === 'a')!
    expect(a.brokenMinutes).toBe(120 + 30)
    expect(a.breaks).toBe(2)
  })

  it('reports a paused promise that broke, and a break wholly in maintenance as kept', () => {
    const paused = promise({ id: 'p', title: 'Paused but broke', paused: true, breaks: [span('2026-11-17T00:00:00Z', '2026-11-17T00:30:00Z')] })
    const hidden = promise({ id: 'h', title: 'Broke during maintenance', breaks: [span('2026-11-20T09:02:00Z', '2026-11-20T09:08:00Z')] })
    const result = computeDigest({ ...input, promises: [paused, hidden] })
    expect(result.promises.map((p) => [p.promiseId, p.brokenMinutes, p.keptAllWeek])).toEqual([
      ['p', 30, false],
      ['h', 0, true],
    ])
  })

  it('says "not walked" of a promise no run checked in the week, never "kept"', () => {
    const idle = promise({ id: 'n', title: 'Never walked' })
    const errorsOnly = promise({ id: 'e', title: 'Only our errors', runs: counts(0, 0, 0, 4, null) })
    const kept = promise({ id: 'k', title: 'Kept', runs: counts(10, 0, 0, 0, 900) })
    const result = computeDigest({ ...input, promises: [idle, errorsOnly, kept] })
    const of = (id: string) => result.promises.find((p) => p.promiseId === id)!
    expect([of('n').walked, of('n').keptAllWeek]).toEqual([false, false])
    expect([of('e').walked, of('e').keptAllWeek]).toEqual([false, false])
    expect([of('k').walked, of('k').keptAllWeek]).toEqual([true, true])
    expect(result.totals).toMatchObject({ promises: 3, keptAllWeek: 1, broken: 0, notWalked: 2 })
    expect(result.headline).toBe('1 of 3 promises kept all week; 2 not walked')
  })

  it('says why a promise broke in the week, in its alert\'s words, and nothing of a break the week before', () => {
    const why = 'the step on line 4 (click "Place order") failed: the page threw: game.cesetRart is not a function'
    const withWhy = computeDigest({ ...input, promises: [{ ...checkout, lastBreakWhy: why }, { ...store, lastBreakWhy: 'an older break' }] })
    expect(withWhy.promises.find((p) => p.promiseId === 'b')!.why).toBe(why)
    expect(withWhy.promises.find((p) => p.promiseId === 'c')!.why).toBeUndefined()
    expect(byId('b').why).toBeUndefined()
  })

  it('round-trips through JSON unchanged (it is stored as the snapshot)', () => {
    expect(JSON.parse(JSON.stringify(figures))).toEqual(figures)
  })
})

describe('words', () => {
  it('writes the headline', () => {
    const totals = { promises: 11, keptAllWeek: 9, broken: 2, brokenMinutes: 192, affectedCustomers: 410.4 }
    expect(headline(totals)).toBe('9 of 11 promises kept all week; 2 broke for 3 h 12 min, about 410 customers affected')
    expect(headline({ ...totals, keptAllWeek: 11, broken: 0 })).toBe('All 11 promises kept all week')
    expect(headline({ promises: 1, keptAllWeek: 0, broken: 1, brokenMinutes: 0.8, affectedCustomers: 1 })).toBe(
      '0 of 1 promise kept all week; 1 broke for 1 min, about 1 customer affected',
    )
    expect(headline({ promises: 0, keptAllWeek: 0, broken: 0, brokenMinutes: 0, affectedCustomers: 0 })).toBe(
      'No promises to report this week',
    )
  })

  it('formats durations and rates', () => {
    expect(formatMinutes(0)).toBe('0 min')
    expect(formatMinutes(0.2)).toBe('< 1 min')
    expect(formatMinutes(45)).toBe('45 min')
    expect(formatMinutes(120)).toBe('2 h')
    expect(formatMinutes(192.4)).toBe('3 h 12 min')
    expect(formatKeptRate(null)).toBe('no runs')
    expect(formatKeptRate(1)).toBe('100 %')
    expect(formatKeptRate(0.99999)).toBe('99.9 %')
  })

  it('compares weeks in whole minutes', () => {
    expect(direction(10.2, 10.4)).toBe('flat')
    expect(direction(11, 10)).toBe('up')
    expect(direction(0, 10)).toBe('down')
  })
})

describe('computeDigest: regions', () => {
  const input = (regionsNamed: boolean): DigestInput => ({
    week: '2026-W47',
    timezone: 'Europe/Paris',
    now: at('2026-11-23T08:00:00Z'),
    maintenance: [],
    promises: [
      promise({
        id: 'r',
        title: 'Pay from anywhere',
        regionsNamed,
        breaks: [
          { ...span('2026-11-17T10:00:00Z', '2026-11-17T11:00:00Z'), region: 'eu' },
          { ...span('2026-11-18T10:00:00Z', '2026-11-18T10:30:00Z'), region: 'ap' },
          // Before the week: not counted in it.
          { ...span('2026-11-10T10:00:00Z', '2026-11-10T11:00:00Z'), region: 'us' },
        ],
        runs: counts(100, 0, 4, 0, 900),
      }),
    ],
  })

  it('counts each break of a region and says where it broke, only when the promise names regions', () => {
    const [named] = computeDigest(input(true)).promises
    expect(named).toMatchObject({ breaks: 2, brokenMinutes: 90, brokenIn: ['ap', 'eu'] })
    const [single] = computeDigest(input(false)).promises
    expect(single?.breaks).toBe(2)
    expect(single?.brokenIn).toBeUndefined()
  })
})
