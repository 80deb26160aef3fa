import { describe, expect, it } from 'vitest'
import { walksNow, type WalkFacts } from '../../src/domain/walk-now.ts'

const base: WalkFacts = { paused: false, journey: 'go to https://shop.example.com', checkFile: null, budgets: { maxClicks: 3 }, device: 'desktop' }

describe('walksNow: a change that earns a walk at once', () => {
  it.each<[string, WalkFacts | null, WalkFacts, boolean]>([
    ['a new promise', null, base, true],
    ['a new paused promise', null, { ...base, paused: true }, false],
    ['resumed', { ...base, paused: true }, base, true],
    ['paused', base, { ...base, paused: true }, false],
    ['a new journey', base, { ...base, journey: 'go to https://shop.example.com/cart' }, true],
    ['new budgets', base, { ...base, budgets: { maxClicks: 4 } }, true],
    ['the same budgets in another order', { ...base, budgets: { maxClicks: 3, maxSeconds: 60 } }, { ...base, budgets: { maxSeconds: 60, maxClicks: 3 } }, false],
    ['another device', base, { ...base, device: 'phone' }, true],
    ['nothing a walk measures', base, { ...base }, false],
    ['a region added', { ...base, regions: ['eu'] }, { ...base, regions: ['eu', 'us'] }, true],
    ['the same regions in another order', { ...base, regions: ['eu', 'us'] }, { ...base, regions: ['us', 'eu'] }, false],
  ])('%s', (_name, before, after, expected) => {
    expect(walksNow(before, after)).toBe(expected)
  })
})
