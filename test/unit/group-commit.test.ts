import { describe, expect, it } from 'vitest'
import { groupCommit, laneIndex } from '../../src/recorder/group-commit.ts'

const tick = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('group commit', () => {
  it('writes a burst in a few batches, in the order it came', async () => {
    const batches: number[][] = []
    const write = groupCommit(
      async (items: number[]) => {
        batches.push(items)
        await tick()
        return items.map((n) => n * 10)
      },
      { maxBatch: 3 },
    )
    const values = await Promise.all([1, 2, 3, 4, 5, 6, 7].map(write))
    expect(values).toEqual([10, 20, 30, 40, 50, 60, 70])
    expect(batches.flat()).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(batches.every((batch) => batch.length <= 3)).toBe(true)
    expect(batches.length).toBeLessThan(7)
  })

  it('with lanes, writes two keys at once but each key in order, by one lane', async () => {
    const active = new Set<string>()
    let overlapped = false
    const seen: Record<string, number[]> = {}
    const write = groupCommit(
      async (items: { key: string; n: number }[]) => {
        const keys = [...new Set(items.map((item) => item.key))]
        for (const key of keys) {
          expect(active.has(key)).toBe(false) // one lane per key: never written twice at once
          active.add(key)
        }
        if (active.size > keys.length) overlapped = true
        for (const item of items) (seen[item.key] ??= []).push(item.n)
        await tick()
        for (const key of keys) active.delete(key)
        return items.map(() => true)
      },
      { maxBatch: 2, lanes: 2, laneOf: (item) => item.key },
    )
    // Two keys that fall in different lanes.
    const first = 'a'
    const second = ['b', 'c', 'd', 'e'].find((k) => laneIndex(k, 2) !== laneIndex(first, 2))!
    const items = Array.from({ length: 8 }, (_, n) => ({ key: n % 2 ? second : first, n }))
    await Promise.all(items.map(write))
    expect(seen[first]).toEqual([0, 2, 4, 6])
    expect(seen[second]).toEqual([1, 3, 5, 7])
    expect(overlapped).toBe(true)
  })
})
