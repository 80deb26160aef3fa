import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cappedBackoff, defaultConcurrency } from '../../src/queue/options.ts'
import { runIdForJob } from '../../src/queue/run-id.ts'
import { journeyTarget, looksOffline } from '../../src/queue/self-check.ts'
import type { JourneySpec } from '../../src/queue/jobs.ts'

const MB = 1024 * 1024

describe('run ids of scheduled jobs', () => {
  it('are UUID v5 strings, stable for a job id and distinct across job ids', () => {
    const id = runIdForJob('repeat:promise:abc:1767225600000')
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(runIdForJob('repeat:promise:abc:1767225600000')).toBe(id)
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => a === b || runIdForJob(a) !== runIdForJob(b)))
  })
})

describe('worker settings', () => {
  it('default concurrency follows cores and free memory, at least 1', () => {
    expect(defaultConcurrency({ cores: 8, freeMemBytes: 8192 * MB })).toBe(8)
    expect(defaultConcurrency({ cores: 8, freeMemBytes: 300 * MB + 450 * MB })).toBe(3)
    expect(defaultConcurrency({ cores: 2, freeMemBytes: 100 * MB })).toBe(1)
  })

  it('result retries back off from 0.5 s, doubling, capped', () => {
    expect([1, 2, 3, 4].map((n) => cappedBackoff(n))).toEqual([500, 1000, 2000, 4000])
    expect(cappedBackoff(7)).toBe(30_000)
    expect(cappedBackoff(10_000)).toBe(30_000)
    expect(cappedBackoff(3, 1500)).toBe(1500)
  })
})

describe('worker self-check', () => {
  const facts = { targetReachable: false, targetIsLoopback: false, hasNetworkInterface: true, probesReachable: [false, false] }

  it('blames the worker only when neither the target nor any probe answers, or no interface is up', () => {
    expect(looksOffline(facts)).toBe(true)
    expect(looksOffline({ ...facts, hasNetworkInterface: false, probesReachable: [] })).toBe(true)
    expect(looksOffline({ ...facts, targetReachable: null })).toBe(true)
  })

  it('keeps the break when the target or a probe answers, the target is local, or nothing can tell', () => {
    expect(looksOffline({ ...facts, targetReachable: true })).toBe(false)
    expect(looksOffline({ ...facts, probesReachable: [false, true] })).toBe(false)
    expect(looksOffline({ ...facts, targetIsLoopback: true, hasNetworkInterface: false })).toBe(false)
    expect(looksOffline({ ...facts, probesReachable: [] })).toBe(false)
  })

  it('finds the target of a journey in its first go to', () => {
    const spec = (journey: string | null) => ({ journey }) as JourneySpec
    expect(journeyTarget(spec('  Go to https://shop.example.com/a\nclick "x"'))).toEqual({ host: 'shop.example.com', port: 443 })
    expect(journeyTarget(spec('go to http://127.0.0.1:4100/'))).toEqual({ host: '127.0.0.1', port: 4100 })
    expect(journeyTarget(spec('click "x"'))).toBeNull()
    expect(journeyTarget(spec(null))).toBeNull()
  })
})
