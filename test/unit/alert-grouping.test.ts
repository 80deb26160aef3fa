import { describe, expect, it } from 'vitest'
import { groupsWaiting, sendsAtOnce } from '../../src/domain/alert-grouping.ts'

const rule = { threshold: 3 }

describe('alert grouping', () => {
  it('sends the first open alerts of a window at once, up to the threshold', () => {
    expect([0, 1, 2, 3, 4].map((recent) => sendsAtOnce(recent, rule))).toEqual([true, true, true, false, false])
  })

  it('groups the alerts that waited in a storm, however few', () => {
    expect(groupsWaiting(2, 3, rule)).toBe(true)
    expect(groupsWaiting(7, 3, rule)).toBe(true)
  })

  it('sends a single waiting alert alone', () => {
    expect(groupsWaiting(1, 3, rule)).toBe(false)
  })

  it('groups alerts released together only when more than the threshold wait', () => {
    expect(groupsWaiting(3, 0, rule)).toBe(false)
    expect(groupsWaiting(4, 0, rule)).toBe(true)
  })
})
