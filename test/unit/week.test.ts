import { describe, expect, it } from 'vitest'
import { nextWeek, parseIsoWeek, previousWeek, weekOf, weekRange } from '../../src/domain/week.ts'

const hours = (r: { start: Date; end: Date }) => (r.end.getTime() - r.start.getTime()) / 3_600_000
const iso = (r: { start: Date; end: Date }) => [r.start.toISOString(), r.end.toISOString()]

describe('parseIsoWeek', () => {
  it('reads YYYY-Www', () => {
    expect(parseIsoWeek('2026-W47')).toEqual({ year: 2026, week: 47 })
    expect(parseIsoWeek('2020-W53')).toEqual({ year: 2020, week: 53 })
  })

  it('names the field and the expected form', () => {
    expect(() => parseIsoWeek('2026-47')).toThrow('week: expected an ISO week like 2026-W47, got "2026-47"')
    expect(() => parseIsoWeek('2026-W00')).toThrow('week: expected a week from 01 to 53 in 2026')
    // 2025 has 52 ISO weeks, 2026 has 53.
    expect(() => parseIsoWeek('2025-W53')).toThrow('week: expected a week from 01 to 52 in 2025')
    expect(parseIsoWeek('2026-W53')).toEqual({ year: 2026, week: 53 })
  })
})

describe('weekRange', () => {
  it('is Monday 00:00 to Monday 00:00 in the zone', () => {
    expect(iso(weekRange('2026-W47', 'UTC'))).toEqual(['2026-11-16T00:00:00.000Z', '2026-11-23T00:00:00.000Z'])
    expect(iso(weekRange('2026-W47', 'Europe/Paris'))).toEqual(['2026-11-15T23:00:00.000Z', '2026-11-22T23:00:00.000Z'])
    expect(iso(weekRange('2026-W15', 'Asia/Kolkata'))).toEqual(['2026-04-05T18:30:00.000Z', '2026-04-12T18:30:00.000Z'])
  })

  it('week 1 may start in the year before', () => {
    expect(iso(weekRange('2026-W01', 'UTC'))).toEqual(['2025-12-29T00:00:00.000Z', '2026-01-05T00:00:00.000Z'])
    expect(iso(weekRange('2020-W53', 'UTC'))).toEqual(['2020-12-28T00:00:00.000Z', '2021-01-04T00:00:00.000Z'])
  })

  it('is 167 hours when clocks go forward and 169 when they go back', () => {
    // Paris: summer time starts Sunday 29 March 2026, ends Sunday 25 October 2026.
    const spring = weekRange('2026-W13', 'Europe/Paris')
    expect(iso(spring)).toEqual(['2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z'])
    expect(hours(spring)).toBe(167)
    const autumn = weekRange('2026-W43', 'Europe/Paris')
    expect(iso(autumn)).toEqual(['2026-10-18T22:00:00.000Z', '2026-10-25T23:00:00.000Z'])
    expect(hours(autumn)).toBe(169)
    expect(hours(weekRange('2026-W44', 'Europe/Paris'))).toBe(168)
  })

  it('starts at 01:00 when midnight does not exist that Monday', () => {
    // Tehran went from 00:00 to 01:00 (+04:30) on Monday 22 March 2021.
    const range = weekRange('2021-W12', 'Asia/Tehran')
    expect(range.start.toISOString()).toBe('2021-03-21T20:30:00.000Z')
    expect(hours(range)).toBe(167)
    expect(weekRange('2021-W11', 'Asia/Tehran').end).toEqual(range.start)
  })

  it('names timeZone when the zone is unknown', () => {
    expect(() => weekRange('2026-W47', 'Mars/Olympus')).toThrow(
      'timeZone: expected an IANA time zone like Europe/Paris, got "Mars/Olympus"',
    )
  })
})

describe('weekOf, previousWeek, nextWeek', () => {
  it('takes the local date of the instant', () => {
    // Sunday 23:30 UTC is already Monday in Paris.
    expect(weekOf(new Date('2026-11-22T23:30:00Z'), 'UTC')).toBe('2026-W47')
    expect(weekOf(new Date('2026-11-22T23:30:00Z'), 'Europe/Paris')).toBe('2026-W48')
    expect(weekOf(new Date('2026-01-01T12:00:00Z'), 'UTC')).toBe('2026-W01')
    expect(weekOf(new Date('2021-01-03T12:00:00Z'), 'UTC')).toBe('2020-W53')
  })

  it('agrees with weekRange at both edges', () => {
    const { start, end } = weekRange('2026-W13', 'Europe/Paris')
    expect(weekOf(start, 'Europe/Paris')).toBe('2026-W13')
    expect(weekOf(new Date(end.getTime() - 1), 'Europe/Paris')).toBe('2026-W13')
    expect(weekOf(end, 'Europe/Paris')).toBe('2026-W14')
  })

  it('steps across years', () => {
    // [a week, the one before it]: previousWeek goes left, nextWeek right.
    const pairs = [
      ['2026-W47', '2026-W46'],
      ['2026-W01', '2025-W52'],
      ['2021-W01', '2020-W53'],
      ['2027-W01', '2026-W53'],
    ] as const
    for (const [week, before] of pairs) {
      expect(previousWeek(week), week).toBe(before)
      expect(nextWeek(before), before).toBe(week)
    }
  })
})
