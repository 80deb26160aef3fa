import { describe, expect, it } from 'vitest'
import { BUDGET_LIMITS, cronProblem, numberProblem, textProblem } from '../../src/domain/promise-limits.ts'

describe('cronProblem: walks at least 30 s apart, by the shortest gap', () => {
  it.each([
    ['*/5 * * * *', null],
    ['0 9 * * 1-5', null],
    ['*/30 * * * * *', null],
    ['0,30 * * * * *', null],
    ['15 0 9 * * 1', null],
  ])('accepts %s', (pattern, expected) => {
    expect(cronProblem(pattern, 'Europe/Paris')).toBe(expected)
  })

  it.each([
    ['* * * * * *', 1],
    ['*/10 * * * * *', 10],
    ['0,5 * * * * *', 5],
    // Close only once an hour: the shortest gap still counts.
    ['0,20 0 * * * *', 20],
  ])('refuses %s (%i s apart)', (pattern, gap) => {
    expect(cronProblem(pattern, 'UTC')).toBe(`expected walks at least 30 seconds apart; this pattern walks ${gap} s apart`)
  })

  it('names a pattern that does not parse', () => {
    expect(cronProblem('every monday', 'UTC')).toMatch(/^invalid cron pattern: /)
  })
})

describe('numberProblem and the budget limits', () => {
  it('says the limit in words', () => {
    expect(numberProblem(1e12, BUDGET_LIMITS.maxSeconds)).toBe('expected a number of seconds from 1 to 3600')
    expect(numberProblem(-1, BUDGET_LIMITS.maxClicks)).toBe('expected a whole number of clicks from 0 to 1000')
    expect(numberProblem(2.5, BUDGET_LIMITS.maxClicks)).toBe('expected a whole number of clicks from 0 to 1000')
    expect(numberProblem(Number.NaN, BUDGET_LIMITS.maxLcpMs)).not.toBeNull()
    expect(numberProblem(0, BUDGET_LIMITS.maxClicks)).toBeNull()
    expect(numberProblem(3600, BUDGET_LIMITS.maxSeconds)).toBeNull()
  })
})

describe('textProblem', () => {
  it('refuses a NUL and a lone surrogate, keeps real characters', () => {
    expect(textProblem('Order\u0000 now')).toContain('NUL')
    expect(textProblem('Order \uD83D now')).toContain('lone surrogate')
    expect(textProblem('Order \uDE00 now')).toContain('lone surrogate')
    expect(textProblem('Order ☕ 😀 in 3 clicks — vite')).toBeNull()
    expect(textProblem('line one\nline\ttwo')).toBeNull()
  })
})
