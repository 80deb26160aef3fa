import { describe, expect, it } from 'vitest'
import { dayRuns, describeDays, publicState, statusDates, statusDays, summary, type StatusDay } from '../../src/domain/status.ts'

const at = (iso: string) => new Date(iso)
const now = at('2026-12-07T12:00:00Z')

describe('publicState: what customers are told', () => {
  it.each([
    [{ paused: false, state: 'kept', overdueSince: null }, false, 'kept'],
    [{ paused: false, state: 'at_risk', overdueSince: null }, false, 'kept'],
    [{ paused: false, state: 'broken', overdueSince: null }, false, 'broken'],
    [{ paused: false, state: 'broken', overdueSince: null }, true, 'maintenance'],
    [{ paused: false, state: 'broken', overdueSince: now }, false, 'broken'],
    [{ paused: false, state: 'kept', overdueSince: now }, false, 'unchecked'],
    [{ paused: false, state: 'pending', overdueSince: null }, false, 'unchecked'],
    [{ paused: true, state: 'broken', overdueSince: null }, false, 'unchecked'],
  ] as const)('%o, in maintenance: %s → %s', (p, maintenance, expected) => {
    expect(publicState(p, maintenance)).toBe(expected)
  })
})

describe('statusDays: a day per day, from breaks and walks', () => {
  const dates = statusDates(now, 4)

  it('ends today and counts back whole UTC days', () => {
    expect(dates).toEqual(['2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07'])
    expect(statusDates(now)).toHaveLength(90)
  })

  it('says broken for an hour or more, partial below, kept when walked, none otherwise; a break over midnight counts on both days', () => {
    const days = statusDays({
      dates,
      walked: new Set(['2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07']),
      breaks: [
        { openedAt: at('2026-12-05T23:30:00Z'), resolvedAt: at('2026-12-06T01:00:00Z') },
        { openedAt: at('2026-12-07T11:40:00Z'), resolvedAt: null },
      ],
      maintenance: [],
      now,
    })
    expect(days.map((d) => [d.date, d.state, d.brokenMinutes])).toEqual([
      ['2026-12-04', 'kept', 0],
      ['2026-12-05', 'partial', 30],
      ['2026-12-06', 'broken', 60],
      ['2026-12-07', 'partial', 20],
    ])
  })

  it('leaves out broken time inside a maintenance window, and a day not walked is none', () => {
    const days = statusDays({
      dates,
      walked: new Set(['2026-12-05']),
      breaks: [{ openedAt: at('2026-12-05T10:00:00Z'), resolvedAt: at('2026-12-05T12:00:00Z') }],
      maintenance: [{ id: 'm', promiseId: null, startsAt: at('2026-12-05T09:00:00Z'), endsAt: at('2026-12-05T11:30:00Z'), recurCron: null, recurMinutes: null, timezone: null }],
      now,
    })
    expect(days.map((d) => d.state)).toEqual(['none', 'partial', 'none', 'none'])
    expect(days[1]!.brokenMinutes).toBe(30)
  })
})

describe('drawing and words', () => {
  const day = (date: string, state: StatusDay['state'], brokenMinutes = 0): StatusDay => ({ date, state, brokenMinutes })

  it('draws a run of equal days as one bar', () => {
    const days = [day('2026-12-01', 'none'), day('2026-12-02', 'kept'), day('2026-12-03', 'kept'), day('2026-12-04', 'broken', 90), day('2026-12-05', 'kept')]
    expect(dayRuns(days)).toEqual([
      { from: 0, count: 1, state: 'none' },
      { from: 1, count: 2, state: 'kept' },
      { from: 3, count: 1, state: 'broken' },
      { from: 4, count: 1, state: 'kept' },
    ])
  })

  it('says the history in words, most recent breaks first', () => {
    expect(describeDays([day('2026-12-01', 'none')])).toBe('Not checked in the last 1 days')
    expect(describeDays([day('2026-12-01', 'kept'), day('2026-12-02', 'none')])).toBe('Kept every day it was checked in the last 2 days')
    expect(describeDays([day('2026-12-01', 'broken', 90), day('2026-12-02', 'kept'), day('2026-12-03', 'partial', 5)])).toBe(
      'Broken on 2 of the last 3 days, most recently 3 Dec (5 min), 1 Dec (1 h 30 min)',
    )
  })

  it.each([
    [[], 'unchecked', 'No promise is published here yet.'],
    [['kept', 'kept'], 'kept', 'Every promise is kept.'],
    [['kept', 'unchecked'], 'kept', 'Every promise is kept.'],
    [['kept', 'broken'], 'broken', '1 promise is broken right now.'],
    [['broken', 'broken', 'maintenance'], 'broken', '2 promises are broken right now.'],
    [['kept', 'maintenance'], 'maintenance', 'Maintenance is under way; every other promise is kept.'],
    [['unchecked'], 'unchecked', 'Our promises are not being checked right now.'],
  ] as const)('summary of %o', (states, state, text) => {
    expect(summary(states)).toEqual({ state, text })
  })
})
