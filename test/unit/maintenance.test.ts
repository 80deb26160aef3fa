import { describe, expect, it } from 'vitest'
import {
  activeWindow,
  occurrences,
  recurrenceProblem,
  subtractWindows,
  type MaintenanceWindow,
} from '../../src/domain/maintenance.ts'

const at = (iso: string) => new Date(iso)

function window(overrides: Partial<MaintenanceWindow>): MaintenanceWindow {
  return {
    id: 'w',
    promiseId: null,
    startsAt: at('2026-05-12T10:00:00Z'),
    endsAt: at('2026-05-12T11:00:00Z'),
    recurCron: null,
    recurMinutes: null,
    timezone: null,
    ...overrides,
  }
}

// Every night 02:00–02:30 Paris time, through May 2026.
const nightly = window({
  id: 'nightly',
  startsAt: at('2026-05-01T00:00:00Z'),
  endsAt: at('2026-06-01T00:00:00Z'),
  recurCron: '0 2 * * *',
  recurMinutes: 30,
  timezone: 'Europe/Paris',
})

describe('activeWindow', () => {
  const oneOff = window({ id: 'one-off' })

  it('holds a one-off window from its start, inclusive, to its end, exclusive', () => {
    expect(activeWindow([oneOff], 'p1', at('2026-05-12T09:59:59Z'))).toBeNull()
    expect(activeWindow([oneOff], 'p1', at('2026-05-12T10:00:00Z'))?.window.id).toBe('one-off')
    expect(activeWindow([oneOff], 'p1', at('2026-05-12T10:59:59Z'))?.until).toEqual(at('2026-05-12T11:00:00Z'))
    expect(activeWindow([oneOff], 'p1', at('2026-05-12T11:00:00Z'))).toBeNull()
  })

  it('applies a promise window to that promise only', () => {
    const mine = window({ id: 'mine', promiseId: 'p1' })
    expect(activeWindow([mine], 'p1', at('2026-05-12T10:30:00Z'))?.window.id).toBe('mine')
    expect(activeWindow([mine], 'p2', at('2026-05-12T10:30:00Z'))).toBeNull()
  })

  it('follows a recurring window in its own timezone', () => {
    // 02:00 Paris in May (CEST, UTC+2) is 00:00 UTC.
    expect(activeWindow([nightly], 'p1', at('2026-05-12T00:00:00Z'))).toEqual({
      window: nightly,
      from: at('2026-05-12T00:00:00Z'),
      until: at('2026-05-12T00:30:00Z'),
    })
    expect(activeWindow([nightly], 'p1', at('2026-05-12T00:29:59Z'))).not.toBeNull()
    expect(activeWindow([nightly], 'p1', at('2026-05-12T00:30:00Z'))).toBeNull()
    expect(activeWindow([nightly], 'p1', at('2026-05-11T23:59:59Z'))).toBeNull()
    expect(activeWindow([nightly], 'p1', at('2026-05-12T02:00:00Z'))).toBeNull()
  })

  it('ignores a recurring window outside its series bounds', () => {
    expect(activeWindow([nightly], 'p1', at('2026-06-02T00:10:00Z'))).toBeNull()
  })

  it('picks the overlapping window that ends last', () => {
    const longer = window({ id: 'longer', endsAt: at('2026-05-12T12:00:00Z') })
    expect(activeWindow([oneOff, longer], 'p1', at('2026-05-12T10:30:00Z'))?.window.id).toBe('longer')
  })
})

describe('occurrences', () => {
  it('lists every start of a recurring window in a range', () => {
    const list = occurrences(nightly, at('2026-05-10T12:00:00Z'), at('2026-05-13T12:00:00Z'))
    expect(list.map((o) => o.start.toISOString())).toEqual([
      '2026-05-11T00:00:00.000Z',
      '2026-05-12T00:00:00.000Z',
      '2026-05-13T00:00:00.000Z',
    ])
  })

  it('includes an occurrence that started before the range and reaches into it', () => {
    const list = occurrences(nightly, at('2026-05-12T00:10:00Z'), at('2026-05-12T01:00:00Z'))
    expect(list).toEqual([{ start: at('2026-05-12T00:00:00Z'), end: at('2026-05-12T00:30:00Z') }])
  })
})

describe('subtractWindows', () => {
  it('removes maintenance from broken time', () => {
    const broken = [{ start: at('2026-05-12T09:30:00Z'), end: at('2026-05-12T11:30:00Z') }]
    expect(subtractWindows(broken, [window({})])).toEqual([
      { start: at('2026-05-12T09:30:00Z'), end: at('2026-05-12T10:00:00Z') },
      { start: at('2026-05-12T11:00:00Z'), end: at('2026-05-12T11:30:00Z') },
    ])
  })

  it('drops an interval entirely inside a window and keeps one outside', () => {
    const inside = { start: at('2026-05-12T10:10:00Z'), end: at('2026-05-12T10:20:00Z') }
    const outside = { start: at('2026-05-12T12:00:00Z'), end: at('2026-05-12T13:00:00Z') }
    expect(subtractWindows([inside, outside], [window({})])).toEqual([outside])
  })

  it('handles overlapping and recurring windows together', () => {
    const broken = [{ start: at('2026-05-11T23:00:00Z'), end: at('2026-05-12T03:00:00Z') }]
    const overlap = window({ startsAt: at('2026-05-12T00:15:00Z'), endsAt: at('2026-05-12T01:00:00Z') })
    expect(subtractWindows(broken, [nightly, overlap])).toEqual([
      { start: at('2026-05-11T23:00:00Z'), end: at('2026-05-12T00:00:00Z') },
      { start: at('2026-05-12T01:00:00Z'), end: at('2026-05-12T03:00:00Z') },
    ])
  })
})

describe('recurrenceProblem', () => {
  it('accepts a valid pattern and zone', () => {
    expect(recurrenceProblem('0 2 * * 1', 'Europe/Paris')).toBeNull()
  })
  it('names what is wrong', () => {
    expect(recurrenceProblem('61 * * * *', null)).toMatch(/invalid cron pattern/)
    expect(recurrenceProblem('0 2 * * *', 'Mars/Olympus')).toMatch(/unknown timezone "Mars\/Olympus"/)
  })
})
