import { describe, expect, it } from 'vitest'
import { computeDigest, type DigestPromiseInput } from '../../src/domain/digest.ts'
import { digestBodyHtml, renderDigest, weekLabel } from '../../src/digest/render.ts'
import { unsubscribeSignature, unsubscribeUrl, verifyUnsubscribe } from '../../src/digest/unsubscribe.ts'

const at = (iso: string) => new Date(iso)
const noRuns = { runs: 0, kept: 0, atRisk: 0, broken: 0, errors: 0, p95Ms: null }
const promise: DigestPromiseInput = {
  id: 'p1',
  title: `Tom's "fast" <b>checkout</b> & more`,
  dailyCustomers: 1440,
  detractorRate: 0.5,
  marketingOwner: '<ana>@example.com',
  techOwner: null,
  paused: false,
  maxSeconds: null,
  breaks: [{ openedAt: at('2026-11-18T10:00:00Z'), resolvedAt: at('2026-11-18T10:40:00Z') }],
  runs: { runs: 10, kept: 9, atRisk: 0, broken: 1, errors: 0, p95Ms: 2000 },
  previousRuns: noRuns,
}
const figures = computeDigest({ week: '2026-W47', timezone: 'UTC', now: at('2026-11-23T08:00:00Z'), promises: [promise], maintenance: [] })
const baseUrl = 'https://kept.example.com'

describe('renderDigest', () => {
  it('escapes user text in HTML and keeps it as is in the text part', () => {
    const { html, text } = renderDigest(figures, { baseUrl, unsubscribe: 'preview' })
    expect(html).toContain('Tom&#39;s &quot;fast&quot; &lt;b&gt;checkout&lt;/b&gt; &amp; more')
    expect(html).toContain('marketing &lt;ana&gt;@example.com')
    expect(html).not.toMatch(/<b>|<ana>/)
    expect(text).toContain(`1. Tom's "fast" <b>checkout</b> & more [broke]`)
    // 40 min × 1 customer a minute; half become detractors; 100 × 20 / 10080.
    expect(text).toContain('NPS points at risk 0.20 ↑ last week 0 min, 0.00 pts')
    expect(text).toContain('Kept rate 90.0 % · 1 break · broken 40 min · about 40 customers affected · about 20 likely detractors')
    expect(text).toContain(`${baseUrl}/promises/p1`)
  })

  it('says why a promise broke, in the words of its alert, escaped in HTML', () => {
    const why = 'the step on line 3 (click "Place order") failed: "Place order" could not be clicked: it is disabled'
    const broke = computeDigest({ week: '2026-W47', timezone: 'UTC', now: at('2026-11-23T08:00:00Z'), promises: [{ ...promise, lastBreakWhy: why }], maintenance: [] })
    const { html, text } = renderDigest(broke, { baseUrl, unsubscribe: 'preview' })
    expect(text).toContain(`   Why: ${why}\n`)
    expect(html).toContain('Why: the step on line 3 (click &quot;Place order&quot;) failed: &quot;Place order&quot; could not be clicked: it is disabled')
    expect(renderDigest(figures, { baseUrl, unsubscribe: 'preview' }).text).not.toContain('Why:')
  })

  it('has no script, external asset or stylesheet: inline styles only', () => {
    const { html } = renderDigest(figures, { baseUrl, unsubscribe: { url: `${baseUrl}/digests/unsubscribe?u=x&sig=y` } })
    expect(html).not.toMatch(/<script|<link|<img|<style|url\(/i)
    expect(html.match(/src=/g)).toBeNull()
  })

  it('ends with the footer the recipient needs', () => {
    const url = unsubscribeUrl(baseUrl, Buffer.alloc(32, 1), '3f0c6b55-0000-4000-8000-000000000001')
    const user = renderDigest(figures, { baseUrl, unsubscribe: { url } })
    expect(user.text).toContain(`Unsubscribe from the weekly digest: ${url}`)
    expect(user.html).toContain(`href="${url.replace('&', '&amp;')}"`)
    const extra = renderDigest(figures, { baseUrl, unsubscribe: 'extra' })
    expect(extra.text).toContain('your address is in KEPT_DIGEST_TO')
    expect(extra.html).not.toContain('/digests/unsubscribe')
    expect(digestBodyHtml(figures, { baseUrl, unsubscribe: 'preview' })).toContain('their own unsubscribe link')
    for (const part of [user.text, user.html]) expect(part).toContain('NPS points at risk = 100 × likely detractors ÷ (customers a day × 7 days)')
  })

  it('says when the week is not over yet', () => {
    const running = computeDigest({ week: '2026-W47', timezone: 'UTC', now: at('2026-11-18T10:20:00Z'), promises: [promise], maintenance: [] })
    const { text } = renderDigest(running, { baseUrl, unsubscribe: 'preview' })
    expect(text).toContain('This week is not over yet: the figures count until Wed 18 Nov, 10:20.')
    expect(text).toContain('broken 20 min')
  })

  it('labels the week in its zone', () => {
    expect(weekLabel(computeDigest({ week: '2026-W47', timezone: 'Asia/Kolkata', now: at('2026-12-01T00:00:00Z'), promises: [], maintenance: [] }))).toBe(
      'Mon 16 Nov – Sun 22 Nov 2026, Asia/Kolkata',
    )
  })
})

describe('unsubscribe signatures', () => {
  it('verify only for the same user and key', () => {
    const key = Buffer.alloc(32, 5)
    const signature = unsubscribeSignature(key, 'user-1')
    expect(verifyUnsubscribe(key, 'user-1', signature)).toBe(true)
    expect(verifyUnsubscribe(key, 'user-2', signature)).toBe(false)
    expect(verifyUnsubscribe(Buffer.alloc(32, 6), 'user-1', signature)).toBe(false)
    expect(verifyUnsubscribe(key, 'user-1', signature.slice(0, -1))).toBe(false)
    expect(verifyUnsubscribe(key, 'user-1', '')).toBe(false)
  })
})
