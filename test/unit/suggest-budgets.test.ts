import { describe, expect, it } from 'vitest'
import { suggestBudgets } from '../../src/domain/suggest-budgets.ts'

describe('suggestBudgets', () => {
  it.each([
    ['Order online in 3 clicks', 3],
    ['Find a store in 2 taps', 2],
    ['in three clicks', 3],
    ['Book a table in TWELVE taps', 12],
    ['Reorder in twenty clicks', 20],
    ['Checkout: 4 clicks, no more', 4],
    ['Buy it in 1 click', 1],
    ['One-click checkout', 1],
    ['1-click ordering', 1],
    ['Reorder with a single click', 1],
    ['Pay in a tap', 1],
    ['Subscribe in 5\u00A0clicks', 5],
    ['Top 10 products in 3 clicks', 3],
    ['Checkout in 3 simple clicks', 3],
    ['A table in two quick taps', 2],
  ])('%s → max %i clicks', (words, maxClicks) => {
    expect(suggestBudgets(words)).toEqual({ maxClicks })
  })

  it.each([
    ['Checkout in under 60 seconds', 60],
    ['Order in less than a minute', 60],
    ['checkout in under a minute', 60],
    ['Sign up within 2 minutes', 120],
    ['Quote in 30s', 30],
    ['Search results under 1.5 s', 1.5],
    ['Results in under 1,5 s', 1.5],
    ['Open an account in 10 min', 600],
    ['Pay in 45 secs', 45],
    ['A reply in at most 20 seconds', 20],
    ['Book a slot in no more than ninety seconds', 90],
    ['Track your parcel in forty-five seconds', 45],
    ['Checkout takes 30 seconds', 30],
    ['Order in half a minute', 30],
    ['A 30-second checkout', 30],
    ['The two-minute signup', 120],
    ['Sign up in UNDER A MINUTE', 60],
    ['Delivery estimate within an hour? No: within 5 minutes', 300],
    ['Checkout: 60 seconds or less', 60],
    ['Sign up, 2 minutes max', 120],
    ['A quote, 45 s tops', 45],
  ])('%s → max %d seconds', (words, maxSeconds) => {
    expect(suggestBudgets(words)).toEqual({ maxSeconds })
  })

  it('suggests both when the promise says both', () => {
    expect(suggestBudgets('Order in 3 clicks and under 60 seconds')).toEqual({ maxClicks: 3, maxSeconds: 60 })
    expect(suggestBudgets('In under a minute, in two taps')).toEqual({ maxClicks: 2, maxSeconds: 60 })
  })

  it('takes the first mention of each', () => {
    expect(suggestBudgets('3 clicks, or 5 clicks on a phone')).toEqual({ maxClicks: 3 })
    expect(suggestBudgets('20 seconds or less, in under a minute on a phone')).toEqual({ maxSeconds: 20 })
    expect(suggestBudgets('in under a minute, 20 seconds max on desktop')).toEqual({ maxSeconds: 60 })
  })

  it.each([
    '24/7 support',
    '3 stores near you',
    'Free delivery over 50 euros',
    'Save 2 minutes a day',
    'Open 7 days a week',
    'Rated 4.5 stars by 10,000 customers',
    'Clickable map of 12 stores',
    'Click and collect in 3 stores',
    '1.5 clicks',
    'in 0 clicks',
    'in 0 seconds',
    'Delivered within 90 minutes',
    'Delivered within 2 days',
    'x3 clicks',
    'in 5 slides',
    'Get it in a moment',
    '',
  ])('suggests nothing for %j', (words) => {
    expect(suggestBudgets(words)).toEqual({})
  })
})
