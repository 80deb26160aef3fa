import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { closestNames, namesFromAriaSnapshot, similarity } from '../../src/runner/candidates.ts'
import { timeLimits } from '../../src/runner/time-limits.ts'
import { secretVariants } from '../../src/runner/secrets.ts'

describe('closest candidates', () => {
  it('ranks a renamed button first and leaves unrelated names out', () => {
    const names = ['Home', 'Stores', 'Place your order', 'Back to cart', 'Help']
    expect(closestNames('Place order', names)).toEqual(['Place your order'])
    expect(closestNames('Add to card', ['Add to cart', 'Add to wishlist', 'Checkout'])[0]).toBe('Add to cart')
  })

  it('keeps names distinct and at most the limit', () => {
    expect(closestNames('Buy', ['Buy now', 'Buy now', 'Buy later', 'Buy it', 'Buy one'], 3)).toHaveLength(3)
    expect(new Set(closestNames('Buy', ['Buy now', 'Buy now', 'Buy later']))).toEqual(new Set(['Buy now', 'Buy later']))
  })

  it('is 1 for the same name (any case, any punctuation) and between 0 and 1 otherwise', () => {
    expect(similarity('Place order!', 'place  ORDER')).toBe(1)
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const s = similarity(a, b)
        return s >= 0 && s <= 1
      }),
    )
  })

  it('reads role and name pairs from an ARIA snapshot', () => {
    const snapshot = [
      '- navigation "Main":',
      '  - link "Home":',
      '    - /url: /',
      '  - link "Stores"',
      '- main:',
      '  - button "Say \\"hi\\""',
      '  - textbox "Email"',
    ].join('\n')
    expect(namesFromAriaSnapshot(snapshot, ['button', 'link'])).toEqual([
      { role: 'link', name: 'Home' },
      { role: 'link', name: 'Stores' },
      { role: 'button', name: 'Say "hi"' },
    ])
  })
})

describe('time limits', () => {
  it('has no hidden step limit: without maxStepSeconds a step may take the whole walk', () => {
    expect(timeLimits({})).toEqual({ stepMs: 60_000, runMs: 60_000 })
    // A 12 s step fits a 45 s promise.
    expect(timeLimits({ maxSeconds: 45 }).stepMs).toBeGreaterThan(12_000)
    expect(timeLimits({ maxSeconds: 45 })).toEqual({ stepMs: 77_500, runMs: 77_500 })
  })
  it('leaves room above the budgets, within bounds', () => {
    expect(timeLimits({ maxStepSeconds: 4, maxSeconds: 30 })).toEqual({ stepMs: 6000, runMs: 55_000 })
    expect(timeLimits({ maxStepSeconds: 0.1 }).stepMs).toBe(1000)
    expect(timeLimits({ maxSeconds: 3600 }).runMs).toBe(600_000)
    expect(timeLimits({ maxStepSeconds: 60 }, 20_000)).toEqual({ stepMs: 20_000, runMs: 20_000 })
  })
})

describe('secret variants', () => {
  it('covers the forms a value takes in a form post, JSON and HTML, longest first', () => {
    const variants = secretVariants(['a b&"c'])
    expect(variants).toEqual(expect.arrayContaining(['a b&"c', 'a%20b%26%22c', 'a+b%26%22c', 'a b&\\"c', 'a b&amp;&quot;c']))
    expect([...variants].sort((x, y) => y.length - x.length)).toEqual(variants)
    expect(secretVariants([''])).toEqual([])
  })
})
