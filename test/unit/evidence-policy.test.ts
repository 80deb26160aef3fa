import { describe, expect, it } from 'vitest'
import { recordsTrace, traceScheduledRuns } from '../../src/domain/evidence.ts'

describe('which runs record a trace', () => {
  it('scheduled runs go without when the confirmation run opens the break (the defaults)', () => {
    expect(traceScheduledRuns({ confirmBroken: true, breakAfter: 2 })).toBe(false)
    expect(recordsTrace('schedule', false)).toBe(false)
  })

  it('scheduled runs trace when one of them may open the break', () => {
    expect(traceScheduledRuns({ confirmBroken: false, breakAfter: 2 })).toBe(true)
    expect(traceScheduledRuns({ confirmBroken: true, breakAfter: 1 })).toBe(true)
    expect(traceScheduledRuns({ confirmBroken: true, breakAfter: 3 })).toBe(true)
    expect(recordsTrace('schedule', true)).toBe(true)
    expect(recordsTrace('schedule', undefined)).toBe(true)
  })

  it('confirmations, manual runs and tries always trace', () => {
    for (const trigger of ['confirm', 'manual', 'test'] as const) expect(recordsTrace(trigger, false)).toBe(true)
  })
})
