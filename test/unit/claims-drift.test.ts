import { describe, expect, it } from 'vitest'
import { driftChange, driftSentence, judgeDrift, type ClaimDrift, type DriftWalk } from '../../src/domain/claims/drift.ts'
import type { Claim } from '../../src/domain/claims/extract.ts'

const now = new Date('2026-12-07T10:00:00Z')
const home = 'https://shop.example.com/'
const claim = (kind: Claim['kind'], value: number, text: string, pageUrl = home): Claim => ({ kind, value, text, pageUrl })
const walk = (over: Partial<DriftWalk> = {}): DriftWalk => ({ outcome: 'kept', clicks: 3, durationMs: 8_000, steps: [{ outcome: 'passed' }], claims: [], ...over })
const judge = (w: DriftWalk, budgets = {}, previous: ClaimDrift | null = null) => judgeDrift({ walk: w, budgets, previous, now })

describe('judgeDrift: the site’s words against what customers live and what the promise allows', () => {
  it('finds none when the site claims what customers get', () => {
    expect(judge(walk({ claims: [claim('clicks', 3, 'Order online in 3 clicks.'), claim('seconds', 60, 'Checkout in under a minute.')] }), { maxClicks: 3, maxSeconds: 60 })).toBeNull()
  })

  it('says the site claims less than customers need', () => {
    expect(judge(walk({ clicks: 5, claims: [claim('clicks', 3, 'Order online in 3 clicks.')] }), { maxClicks: 5 })).toEqual({
      claimed: { kind: 'clicks', value: 3 },
      measured: { kind: 'clicks', value: 5 },
      registered: { kind: 'clicks', value: 5 },
      text: 'Order online in 3 clicks.',
      pageUrl: home,
      since: now.toISOString(),
    })
  })

  it('says the site claims less than the registered promise allows, even when the walk was as fast', () => {
    const drift = judge(walk({ clicks: 3, claims: [claim('clicks', 3, 'Order in 3 clicks.')] }), { maxClicks: 6 })
    expect(drift).toMatchObject({ claimed: { value: 3 }, measured: { value: 3 }, registered: { value: 6 } })
    expect(driftSentence(drift!)).toBe('The site says “Order in 3 clicks.” (3 clicks), but the promise registered in Kept allows 6 clicks.')
  })

  it('judges seconds against the whole walk, to a tenth', () => {
    const drift = judge(walk({ durationMs: 72_340, claims: [claim('seconds', 60, 'Checkout in under a minute.')] }), { maxSeconds: 90 })
    expect(drift).toMatchObject({ measured: { kind: 'seconds', value: 72.3 }, registered: { kind: 'seconds', value: 90 } })
    expect(driftSentence(drift!)).toBe('The site says “Checkout in under a minute.” (60 s), but customers need 72.3 s and the promise registered in Kept allows 90 s.')
  })

  it('keeps the worst of several claims', () => {
    const drift = judge(walk({ clicks: 6, claims: [claim('clicks', 5, 'Five clicks.'), claim('clicks', 2, 'Two clicks.', `${home}faq`)] }))
    expect(drift).toMatchObject({ claimed: { value: 2 }, pageUrl: `${home}faq` })
  })

  it('keeps since while the same claim drifts, and starts anew for another', () => {
    const first = judge(walk({ clicks: 5, claims: [claim('clicks', 3, 'Order in 3 clicks.')] }))!
    const later = judgeDrift({ walk: walk({ clicks: 6, claims: [claim('clicks', 3, 'Order in 3 clicks.')] }), budgets: {}, previous: first, now: new Date(now.getTime() + 60_000) })!
    expect(later.since).toBe(first.since)
    expect(later.measured.value).toBe(6)
    const other = judgeDrift({ walk: walk({ clicks: 6, claims: [claim('clicks', 4, 'Order in 4 clicks.')] }), budgets: {}, previous: first, now: new Date(now.getTime() + 60_000) })!
    expect(other.since).not.toBe(first.since)
    expect(driftChange(first, later)).toBeNull()
    expect(driftChange(first, other)).toBe('started')
  })

  it('clears when the copy or the experience is mended', () => {
    const drift = judge(walk({ clicks: 5, claims: [claim('clicks', 3, 'Order in 3 clicks.')] }))
    expect(judge(walk({ clicks: 3, claims: [claim('clicks', 3, 'Order in 3 clicks.')] }), {}, drift)).toBeNull()
    expect(judge(walk({ clicks: 5, claims: [claim('clicks', 5, 'Order in 5 clicks.')] }), {}, drift)).toBeNull()
    expect(driftChange(drift, null)).toBe('cleared')
    expect(driftChange(null, drift)).toBe('started')
  })

  it('keeps the last judgment after our error, a walk that read no page, or a walk stopped at a failed step', () => {
    const drift = judge(walk({ clicks: 5, claims: [claim('clicks', 3, 'Order in 3 clicks.')] }))
    expect(judge(walk({ outcome: 'error', claims: [] }), {}, drift)).toBe(drift)
    expect(judge(walk({ claims: undefined }), {}, drift)).toBe(drift)
    const stopped = walk({ outcome: 'broken', clicks: 1, steps: [{ outcome: 'passed' }, { outcome: 'failed' }], claims: [] })
    expect(judge(stopped, {}, drift)).toBe(drift)
    // A stopped walk's clicks are not the journey's: no drift from them, but a registered budget still counts.
    expect(judge({ ...stopped, clicks: 9, claims: [claim('clicks', 3, 'Order in 3 clicks.')] })).toBeNull()
    expect(judge({ ...stopped, claims: [claim('clicks', 3, 'Order in 3 clicks.')] }, { maxClicks: 4 })).toMatchObject({ registered: { value: 4 } })
  })
})
