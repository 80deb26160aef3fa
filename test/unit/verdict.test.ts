import { describe, expect, it } from 'vitest'
import type { Failure, StepResult } from '../../src/domain/run.ts'
import { judgeRun, type Measured } from '../../src/domain/verdict.ts'

const passed = (line: number, durationMs: number): StepResult => ({
  line,
  text: `click "Step ${line}"`,
  outcome: 'passed',
  durationMs,
})

function measured(overrides: Partial<Measured> = {}): Measured {
  return {
    steps: [passed(1, 1_000), passed(2, 2_000), passed(4, 3_000)],
    clicks: 2,
    durationMs: 6_000,
    vitals: {},
    ...overrides,
  }
}

const NO_FIELDS = { budget: null, limit: null, actual: null, line: null }
const brokenBy = (failure: Failure) => ({ outcome: 'broken', failure, failures: [failure] })

describe('judgeRun: error and step failures', () => {
  it('calls our own failure an error, whatever else happened', () => {
    const run = measured({
      error: 'browser crashed',
      clicks: 99,
      steps: [{ line: 2, text: 'click "x"', outcome: 'failed', durationMs: 5, error: 'no x' }],
    })
    const error = { kind: 'error', message: 'browser crashed', ...NO_FIELDS }
    expect(judgeRun(run, { maxClicks: 1 })).toEqual({ outcome: 'error', failure: error, failures: [error] })
    expect(judgeRun(measured({ error: '' }), {}).outcome).toBe('error')
  })

  it('is not an error when error is null or absent', () => {
    expect(judgeRun(measured({ error: null }), {}).outcome).toBe('kept')
    expect(judgeRun(measured(), {}).outcome).toBe('kept')
  })

  it('breaks on the first failed step, before any budget, naming its line and error', () => {
    const run = measured({
      clicks: 10,
      steps: [
        passed(1, 100),
        { line: 3, text: 'click "Checkout"', outcome: 'failed', durationMs: 5_000, error: 'no button "Checkout"; saw "Check out"' },
        { line: 4, text: 'click "Pay"', outcome: 'failed', durationMs: 0, error: 'later' },
        { line: 5, text: 'expect "Paid"', outcome: 'skipped', durationMs: 0 },
      ],
    })
    const stepFailure = { ...NO_FIELDS, kind: 'step', line: 3, message: 'no button "Checkout"; saw "Check out"' }
    // A step failed after the click budget was blown: both are told, the step first.
    expect(judgeRun(run, { maxClicks: 3 })).toEqual({
      outcome: 'broken',
      failure: stepFailure,
      failures: [stepFailure, { kind: 'budget', budget: 'maxClicks', limit: 3, actual: 10, line: null, message: 'took 10 clicks, the promise allows 3' }],
    })
    expect(judgeRun(run, { maxClicks: 10 }).failures).toEqual([stepFailure])
  })

  it('says which step failed when the step has no message', () => {
    const run = measured({ steps: [{ line: 7, text: 'expect "x"', outcome: 'failed', durationMs: 1 }] })
    expect(judgeRun(run, {}).failure?.message).toBe('the step on line 7 failed')
  })

  it('does not count skipped steps as failures', () => {
    const run = measured({ steps: [passed(1, 10), { line: 2, text: 'x', outcome: 'skipped', durationMs: 0 }] })
    expect(judgeRun(run, {}).outcome).toBe('kept')
  })
})

describe('judgeRun: budgets', () => {
  it('keeps a run with no budgets', () => {
    expect(judgeRun(measured({ durationMs: 10_000_000, clicks: 500 }), {})).toEqual({ outcome: 'kept', failure: null, failures: [] })
  })

  it('breaks on too many clicks, in words for a person', () => {
    expect(judgeRun(measured({ clicks: 4 }), { maxClicks: 3 })).toEqual(
      brokenBy({ kind: 'budget', budget: 'maxClicks', limit: 3, actual: 4, line: null, message: 'took 4 clicks, the promise allows 3' }),
    )
    expect(judgeRun(measured({ clicks: 1 }), { maxClicks: 0 }).failure?.message).toBe('took 1 click, the promise allows 0')
    // With the clicks of each step, the step that went over is named: there is the step too many.
    const counted = measured({
      clicks: 4,
      steps: [passed(1, 10), { ...passed(2, 10), clicks: 1 }, { ...passed(3, 10), clicks: 2 }, { ...passed(5, 10), clicks: 1 }, { ...passed(6, 10), clicks: 0 }],
    })
    expect(judgeRun(counted, { maxClicks: 3 }).failure).toMatchObject({ budget: 'maxClicks', line: 5 })
    expect(judgeRun(counted, { maxClicks: 2 }).failure).toMatchObject({ budget: 'maxClicks', line: 3 })
  })

  it('keeps a click budget met exactly (clicks are whole, never "at risk")', () => {
    expect(judgeRun(measured({ clicks: 3 }), { maxClicks: 3 })).toEqual({ outcome: 'kept', failure: null, failures: [] })
  })

  it('breaks on the journey time', () => {
    expect(judgeRun(measured({ durationMs: 72_400 }), { maxSeconds: 60 })).toEqual(
      brokenBy({
      kind: 'budget',
      budget: 'maxSeconds',
      limit: 60,
      actual: 72.4,
      line: 4,
      message: 'took 72.4 s, the promise allows 60 s; the slowest step, on line 4, took 3.0 s',
      }),
    )
  })

  it('shows enough decimals to tell a near miss from the limit', () => {
    expect(judgeRun(measured({ durationMs: 60_040 }), { maxSeconds: 60 }).failure?.message).toBe(
      'took 60.04 s, the promise allows 60 s; the slowest step, on line 4, took 3.0 s',
    )
    expect(judgeRun(measured({ durationMs: 60_001 }), { maxSeconds: 60 }).failure?.message).toBe(
      'took 60.001 s, the promise allows 60 s; the slowest step, on line 4, took 3.0 s',
    )
  })

  it('breaks on the slowest step, naming its line', () => {
    const run = measured({ steps: [passed(1, 2_000), passed(4, 12_300), passed(6, 11_000)], durationMs: 25_300 })
    expect(judgeRun(run, { maxStepSeconds: 10 })).toEqual(
      brokenBy({
      kind: 'budget',
      budget: 'maxStepSeconds',
      limit: 10,
      actual: 12.3,
      line: 4,
      message: 'step on line 4 took 12.3 s, the budget is 10 s per step',
      }),
    )
  })

  it('breaks on LCP, in milliseconds, when measured', () => {
    expect(judgeRun(measured({ vitals: { lcpMs: 3_200 } }), { maxLcpMs: 2_500 })).toEqual(
      brokenBy({
      kind: 'budget',
      budget: 'maxLcpMs',
      limit: 2_500,
      actual: 3_200,
      line: null,
      message: 'the largest contentful paint came after 3.2 s, the budget is 2.5 s',
      }),
    )
    // Not measured: nothing to judge.
    expect(judgeRun(measured({ vitals: {} }), { maxLcpMs: 2_500 }).outcome).toBe('kept')
  })

  it('breaks on accessibility violations, when measured', () => {
    expect(judgeRun(measured({ vitals: { a11yViolations: 5 } }), { maxA11yViolations: 2 })).toEqual(
      brokenBy({
      kind: 'budget',
      budget: 'maxA11yViolations',
      limit: 2,
      actual: 5,
      line: null,
      message: 'found 5 accessibility violations, the budget allows 2',
      }),
    )
    expect(judgeRun(measured({ vitals: { a11yViolations: 1 } }), { maxA11yViolations: 0 }).failure?.message).toBe(
      'found 1 accessibility violation, the budget allows 0',
    )
    expect(judgeRun(measured({ vitals: { a11yViolations: 2 } }), { maxA11yViolations: 2 }).outcome).toBe('kept')
    expect(judgeRun(measured({ vitals: {} }), { maxA11yViolations: 0 }).outcome).toBe('kept')
  })

  it('names every exceeded budget, first the first in the order clicks, seconds, step seconds, LCP, accessibility', () => {
    const all = { maxClicks: 1, maxSeconds: 1, maxStepSeconds: 1, maxLcpMs: 1, maxA11yViolations: 0 }
    const run = measured({ clicks: 5, durationMs: 50_000, vitals: { lcpMs: 9_000, a11yViolations: 3 } })
    expect(judgeRun(run, all).failure?.budget).toBe('maxClicks')
    expect(judgeRun(run, all).failures.map((f) => f.budget)).toEqual(['maxClicks', 'maxSeconds', 'maxStepSeconds', 'maxLcpMs', 'maxA11yViolations'])
    expect(judgeRun(run, { ...all, maxClicks: 5 }).failure?.budget).toBe('maxSeconds')
    expect(judgeRun(run, { ...all, maxClicks: 5, maxSeconds: 50 }).failure?.budget).toBe('maxStepSeconds')
    expect(judgeRun(run, { ...all, maxClicks: 5, maxSeconds: 50, maxStepSeconds: 3 }).failure?.budget).toBe('maxLcpMs')
    expect(
      judgeRun(run, { ...all, maxClicks: 5, maxSeconds: 50, maxStepSeconds: 3, maxLcpMs: 9_000 }).failure?.budget,
    ).toBe('maxA11yViolations')
  })
})

describe('judgeRun: at risk', () => {
  it('is kept at exactly 80% of a time budget, at risk just above', () => {
    expect(judgeRun(measured({ durationMs: 48_000 }), { maxSeconds: 60 }).outcome).toBe('kept')
    expect(judgeRun(measured({ durationMs: 48_001 }), { maxSeconds: 60 }).outcome).toBe('at_risk')
    // 0.8 × 3 is not exact in binary; 2.4 s of 3 s is still exactly 80%.
    expect(judgeRun(measured({ durationMs: 2_400, steps: [] }), { maxSeconds: 3 }).outcome).toBe('kept')
  })

  it('is at risk, not broken, at exactly the time limit', () => {
    expect(judgeRun(measured({ durationMs: 60_000 }), { maxSeconds: 60 })).toEqual({ outcome: 'at_risk', failure: null, failures: [] })
  })

  it('is at risk when the slowest step uses more than 80% of the step budget', () => {
    const run = measured({ steps: [passed(1, 1_000), passed(2, 8_500)] })
    expect(judgeRun(run, { maxStepSeconds: 10 }).outcome).toBe('at_risk')
    expect(judgeRun(measured({ steps: [passed(1, 8_000)] }), { maxStepSeconds: 10 }).outcome).toBe('kept')
  })

  it('is at risk when LCP uses more than 80% of its budget', () => {
    expect(judgeRun(measured({ vitals: { lcpMs: 2_001 } }), { maxLcpMs: 2_500 }).outcome).toBe('at_risk')
    expect(judgeRun(measured({ vitals: { lcpMs: 2_000 } }), { maxLcpMs: 2_500 }).outcome).toBe('kept')
  })

  it('never calls clicks or accessibility at risk', () => {
    const run = measured({ clicks: 10, vitals: { a11yViolations: 10 } })
    expect(judgeRun(run, { maxClicks: 10, maxA11yViolations: 10 }).outcome).toBe('kept')
  })

  it('judges a journey without steps on time alone', () => {
    expect(judgeRun(measured({ steps: [], durationMs: 100 }), { maxStepSeconds: 1, maxSeconds: 1 }).outcome).toBe('kept')
  })
})
