import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { MaintenanceWindow } from '../../src/domain/maintenance.ts'
import { brokenMinutes, npsRisk, totalNpsPointsAtRisk } from '../../src/domain/nps.ts'
import { weekRange } from '../../src/domain/week.ts'

const at = (text: string) => new Date(text)
const span = (openedAt: string, resolvedAt: string | null) => ({
  openedAt: at(openedAt),
  resolvedAt: resolvedAt === null ? null : at(resolvedAt),
})
const oneOff = (startsAt: string, endsAt: string): MaintenanceWindow => ({
  id: 'w',
  promiseId: null,
  startsAt: at(startsAt),
  endsAt: at(endsAt),
  recurCron: null,
  recurMinutes: null,
  timezone: null,
})

// 2026-W47 in Paris: 2026-11-15T23:00Z to 2026-11-22T23:00Z.
const week = weekRange('2026-W47', 'Europe/Paris')
const afterWeek = at('2026-11-23T08:00:00Z')

describe('brokenMinutes', () => {
  const breaks = [
    span('2026-11-15T22:00:00Z', '2026-11-16T00:30:00Z'), // 60 min before the week: 90 min inside
    span('2026-11-17T10:00:00Z', '2026-11-17T10:45:00Z'), // overlaps the next one:
    span('2026-11-17T10:30:00Z', '2026-11-17T11:00:00Z'), //   together 60 min, not 75
    span('2026-11-22T22:00:00Z', null), // still open: 60 min until the week ends
    span('2026-11-10T10:00:00Z', '2026-11-10T12:00:00Z'), // the week before: nothing
  ]

  it('counts only inside the week, merges overlaps, runs open breaks to the end', () => {
    expect(brokenMinutes(breaks, week, [], afterWeek)).toBe(90 + 60 + 60)
  })

  it('runs open breaks until now during the week, and counts nothing not yet happened', () => {
    expect(brokenMinutes(breaks, week, [], at('2026-11-22T22:30:00Z'))).toBe(90 + 60 + 30)
    expect(brokenMinutes(breaks, week, [], at('2026-11-17T10:15:00Z'))).toBe(90 + 15)
    expect(brokenMinutes(breaks, week, [], at('2026-11-15T00:00:00Z'))).toBe(0)
  })

  it('cuts maintenance out', () => {
    const windows = [oneOff('2026-11-17T10:50:00Z', '2026-11-17T11:20:00Z')]
    expect(brokenMinutes(breaks, week, windows, afterWeek)).toBe(200)
  })

  it('keeps seconds: no rounding', () => {
    expect(brokenMinutes([span('2026-11-18T10:00:00Z', '2026-11-18T10:00:30Z')], week, [], afterWeek)).toBe(0.5)
  })

  it('counts a whole DST week as 169 hours, less a daily recurring window', () => {
    const autumn = weekRange('2026-W43', 'Europe/Paris')
    const allWeek = [span('2026-10-01T00:00:00Z', null)]
    expect(brokenMinutes(allWeek, autumn, [], afterWeek)).toBe(169 * 60)
    const nightly: MaintenanceWindow = {
      ...oneOff('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'),
      recurCron: '0 4 * * *',
      recurMinutes: 30,
      timezone: 'Europe/Paris',
    }
    expect(brokenMinutes(allWeek, autumn, [nightly], afterWeek)).toBe(169 * 60 - 7 * 30)
  })

  it('never exceeds the week, whatever the breaks (property)', () => {
    const startMs = week.start.getTime() - 86_400_000
    const lengthMs = 9 * 86_400_000
    const arbitraryBreak = fc
      .tuple(fc.integer({ min: 0, max: lengthMs }), fc.option(fc.integer({ min: 0, max: lengthMs }), { nil: null }))
      .map(([a, b]) => ({
        openedAt: new Date(startMs + (b === null ? a : Math.min(a, b))),
        resolvedAt: b === null ? null : new Date(startMs + Math.max(a, b)),
      }))
    fc.assert(
      fc.property(fc.array(arbitraryBreak, { maxLength: 8 }), (list) => {
        const minutes = brokenMinutes(list, week, [], afterWeek)
        expect(minutes).toBeGreaterThanOrEqual(0)
        expect(minutes).toBeLessThanOrEqual(7 * 1440)
        expect(brokenMinutes([...list].reverse(), week, [], afterWeek)).toBe(minutes)
      }),
    )
  })
})

describe('npsRisk', () => {
  it('follows the formula at full precision', () => {
    // 200 broken minutes of a journey 1440 customers take a day.
    const risk = npsRisk({ dailyCustomers: 1440, detractorRate: 0.25 }, 200)
    expect(risk.affectedCustomers).toBe(200)
    expect(risk.likelyDetractors).toBe(50)
    expect(risk.npsPointsAtRisk).toBe(5000 / 10_080) // 0.496…
  })

  it('is the broken share of the week times the detractor rate, in points', () => {
    const risk = npsRisk({ dailyCustomers: 1200, detractorRate: 0.4 }, 7 * 1440)
    expect(risk.affectedCustomers).toBe(8400)
    expect(risk.npsPointsAtRisk).toBeCloseTo(40, 12)
  })

  it('is zero when nobody takes the journey', () => {
    expect(npsRisk({ dailyCustomers: 0, detractorRate: 0.25 }, 600)).toEqual({
      brokenMinutes: 600,
      affectedCustomers: 0,
      likelyDetractors: 0,
      npsPointsAtRisk: 0,
    })
  })
})

describe('totalNpsPointsAtRisk', () => {
  it('weights each journey by its daily customers', () => {
    const total = totalNpsPointsAtRisk([
      { dailyCustomers: 1000, likelyDetractors: 10 },
      { dailyCustomers: 3000, likelyDetractors: 0 },
    ])
    expect(total).toBe(1000 / 28_000)
    expect(totalNpsPointsAtRisk([])).toBe(0)
    expect(totalNpsPointsAtRisk([{ dailyCustomers: 0, likelyDetractors: 0 }])).toBe(0)
  })
})
