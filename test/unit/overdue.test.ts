import { describe, expect, it } from 'vitest'
import { OVERDUE_GRACE_MS, noWalkSince, overdueAt } from '../../src/domain/overdue.ts'
import { shownState } from '../../src/domain/run.ts'

const at = (iso: string) => new Date(iso)

describe('overdueAt', () => {
  it('an interval: two intervals after the last walk, plus the grace', () => {
    expect(overdueAt({ everyMs: 60_000 }, at('2026-12-04T10:00:00Z'))).toEqual(new Date(Date.parse('2026-12-04T10:02:00Z') + OVERDUE_GRACE_MS))
  })

  it('a cron: the second slot after the last walk, so a weekend gap is no false alarm', () => {
    // Weekdays at 09:00: walked Friday, the slots are Monday and Tuesday.
    expect(overdueAt({ pattern: '0 9 * * 1-5', tz: 'UTC' }, at('2026-12-04T09:00:30Z'))).toEqual(new Date(Date.parse('2026-12-08T09:00:00Z') + OVERDUE_GRACE_MS))
  })

  it('a cron reads its time zone', () => {
    expect(overdueAt({ pattern: '0 9 * * *', tz: 'Europe/Paris' }, at('2026-12-04T09:00:00Z'))).toEqual(new Date(Date.parse('2026-12-06T08:00:00Z') + OVERDUE_GRACE_MS))
  })

  it('a pattern that cannot be read expects nothing', () => {
    expect(overdueAt({ pattern: 'not cron', tz: 'UTC' }, at('2026-12-04T09:00:00Z'))).toBeNull()
  })

  it('counts from the later of the last walk and the last change', () => {
    expect(noWalkSince(null, at('2026-12-04T09:00:00Z'))).toEqual(at('2026-12-04T09:00:00Z'))
    expect(noWalkSince(at('2026-12-04T10:00:00Z'), at('2026-12-04T09:00:00Z'))).toEqual(at('2026-12-04T10:00:00Z'))
    expect(noWalkSince(at('2026-12-04T08:00:00Z'), at('2026-12-04T09:00:00Z'))).toEqual(at('2026-12-04T09:00:00Z'))
  })
})

describe('shownState', () => {
  const since = at('2026-12-04T09:00:00Z')
  it('overdue hides kept, at risk and pending, never paused or an open break', () => {
    expect(shownState({ paused: false, state: 'kept', overdueSince: since })).toBe('overdue')
    expect(shownState({ paused: false, state: 'at_risk', overdueSince: since })).toBe('overdue')
    expect(shownState({ paused: false, state: 'pending', overdueSince: since })).toBe('overdue')
    expect(shownState({ paused: false, state: 'broken', overdueSince: since })).toBe('broken')
    expect(shownState({ paused: true, state: 'kept', overdueSince: since })).toBe('paused')
    expect(shownState({ paused: false, state: 'kept', overdueSince: null })).toBe('kept')
  })
})
