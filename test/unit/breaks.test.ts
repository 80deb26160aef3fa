import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  INITIAL_BREAK_STATE,
  nextBreakState,
  type BreakEvent,
  type BreakState,
  type BreakThresholds,
} from '../../src/domain/breaks.ts'
import type { Outcome } from '../../src/domain/run.ts'

function play(outcomes: Outcome[], thresholds?: BreakThresholds, from: BreakState = INITIAL_BREAK_STATE) {
  let state = from
  const events: BreakEvent[] = []
  outcomes.forEach((outcome, i) => {
    const step = nextBreakState(state, outcome, `break-${i}`, thresholds)
    state = step.next
    if (step.event) events.push(step.event)
  })
  return { state, events }
}

describe('break state machine', () => {
  it('starts pending and shows the last counted outcome', () => {
    expect(play([]).state.state).toBe('pending')
    expect(play(['kept']).state.state).toBe('kept')
    expect(play(['kept', 'at_risk']).state.state).toBe('at_risk')
    expect(play(['kept', 'broken']).state.state).toBe('broken')
    expect(play(['broken', 'error']).state.state).toBe('broken')
  })

  it('shows broken after one broken run but opens no break before breakAfter', () => {
    const { state, events } = play(['kept', 'broken'])
    expect(state).toEqual({ state: 'broken', consecutiveBroken: 1, consecutiveKept: 0, openBreakId: null })
    expect(events).toEqual([])
  })

  it('opens a break on the second consecutive broken run (the confirmation) by default', () => {
    const { state, events } = play(['kept', 'broken', 'broken'])
    expect(events).toEqual([{ type: 'open', breakId: 'break-2' }])
    expect(state.openBreakId).toBe('break-2')
    expect(state.consecutiveBroken).toBe(2)
  })

  it('does not open a second break while one is open', () => {
    const { events, state } = play(['broken', 'broken', 'broken', 'broken'])
    expect(events).toEqual([{ type: 'open', breakId: 'break-1' }])
    expect(state.consecutiveBroken).toBe(4)
  })

  it('resolves after resolveAfter kept or at-risk runs', () => {
    expect(play(['broken', 'broken', 'kept']).events).toEqual([
      { type: 'open', breakId: 'break-1' },
      { type: 'resolve', breakId: 'break-1' },
    ])
    const slow = play(['broken', 'broken', 'at_risk', 'kept'], { breakAfter: 2, resolveAfter: 2 })
    expect(slow.events).toEqual([
      { type: 'open', breakId: 'break-1' },
      { type: 'resolve', breakId: 'break-1' },
    ])
    expect(slow.state).toEqual({ state: 'kept', consecutiveBroken: 0, consecutiveKept: 2, openBreakId: null })
  })

  it('a broken run between kept runs restarts the resolve count', () => {
    const { events, state } = play(['broken', 'broken', 'kept', 'broken', 'kept'], { breakAfter: 2, resolveAfter: 2 })
    expect(events).toEqual([{ type: 'open', breakId: 'break-1' }])
    expect(state.openBreakId).toBe('break-1')
    expect(state.consecutiveKept).toBe(1)
  })

  it('a kept run between broken runs restarts the break count', () => {
    const { events } = play(['broken', 'kept', 'broken', 'kept'])
    expect(events).toEqual([])
  })

  it('error runs change nothing: no counting, no reset, no event', () => {
    const { events, state } = play(['broken', 'error', 'error', 'broken'])
    expect(events).toEqual([{ type: 'open', breakId: 'break-3' }])
    expect(state.consecutiveBroken).toBe(2)
    const open = play(['broken', 'broken']).state
    expect(nextBreakState(open, 'error', 'x')).toEqual({ next: open, event: null })
  })

  it('opens at once with breakAfter 1 (no confirmation)', () => {
    expect(play(['broken'], { breakAfter: 1, resolveAfter: 1 }).events).toEqual([{ type: 'open', breakId: 'break-0' }])
  })

  it('continues from a persisted state whose counters passed a lowered threshold', () => {
    const persisted: BreakState = { state: 'broken', consecutiveBroken: 5, consecutiveKept: 0, openBreakId: null }
    expect(nextBreakState(persisted, 'broken', 'b', { breakAfter: 3, resolveAfter: 1 }).event).toEqual({
      type: 'open',
      breakId: 'b',
    })
  })

  it('rejects thresholds below 1 naming the field', () => {
    expect(() => nextBreakState(INITIAL_BREAK_STATE, 'kept', 'b', { breakAfter: 0, resolveAfter: 1 })).toThrow(
      /breakAfter: expected an integer of at least 1/,
    )
    expect(() => nextBreakState(INITIAL_BREAK_STATE, 'kept', 'b', { breakAfter: 2, resolveAfter: 1.5 })).toThrow(
      /resolveAfter/,
    )
  })
})

describe('break state machine properties', () => {
  const outcome = fc.constantFrom<Outcome>('kept', 'at_risk', 'broken', 'error')
  const thresholds = fc.record({ breakAfter: fc.integer({ min: 1, max: 5 }), resolveAfter: fc.integer({ min: 1, max: 5 }) })

  it('never opens twice without a resolve in between, and resolves only the open break', () => {
    fc.assert(
      fc.property(fc.array(outcome, { maxLength: 60 }), thresholds, (outcomes, t) => {
        const { events } = play(outcomes, t)
        let open: string | null = null
        for (const event of events) {
          if (event.type === 'open') {
            expect(open).toBeNull()
            open = event.breakId
          } else {
            expect(event.breakId).toBe(open)
            open = null
          }
        }
      }),
    )
  })

  it('error runs are no-ops anywhere in the sequence', () => {
    fc.assert(
      fc.property(fc.array(outcome, { maxLength: 40 }), thresholds, (outcomes, t) => {
        const withErrors = play(outcomes, t)
        const withoutErrors = play(
          outcomes.filter((o) => o !== 'error'),
          t,
        )
        expect(withErrors.state.state).toBe(withoutErrors.state.state)
        expect(withErrors.state.consecutiveBroken).toBe(withoutErrors.state.consecutiveBroken)
        expect(withErrors.state.consecutiveKept).toBe(withoutErrors.state.consecutiveKept)
        expect(withErrors.events.map((e) => e.type)).toEqual(withoutErrors.events.map((e) => e.type))
      }),
    )
  })

  it('counters and the open break stay consistent', () => {
    fc.assert(
      fc.property(fc.array(outcome, { maxLength: 60 }), thresholds, (outcomes, t) => {
        const { state } = play(outcomes, t)
        // Counters: only one of them is non-zero once a run was counted.
        expect(state.consecutiveBroken === 0 || state.consecutiveKept === 0).toBe(true)
        // An open break always follows enough broken runs, unless kept runs are still below resolveAfter.
        if (state.openBreakId !== null) {
          expect(state.consecutiveBroken >= t.breakAfter || state.consecutiveKept < t.resolveAfter).toBe(true)
        }
        if (state.consecutiveBroken >= t.breakAfter) expect(state.openBreakId).not.toBeNull()
      }),
    )
  })
})
