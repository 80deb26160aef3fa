import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CLAIM_TEXT_MAX, claimsIn, extractClaims, sentences } from '../../src/domain/claims/extract.ts'
import type { ClaimLanguage } from '../../src/domain/claims/language.ts'
import { LANGUAGES, languageFor } from '../../src/domain/claims/languages.ts'
import { suggestedPromise } from '../../src/domain/suggest-budgets.ts'

const pageUrl = 'https://shop.example.com/'
const found = (text: string) => extractClaims(text, { pageUrl }).map((c) => `${c.kind} ${c.value}`)

describe('claims a page makes', () => {
  it.each([
    // clicks, taps, steps
    ['Order online in 3 clicks', ['clicks 3']],
    ['Our three-click checkout', ['clicks 3']],
    ['Find a store in 2 taps', ['clicks 2']],
    ['2 taps', ['clicks 2']],
    ['Sign up in 4 easy steps', ['clicks 4']],
    ['One-click ordering', ['clicks 1']],
    ['1-Click ordering', ['clicks 1']],
    ['Checkout in just two clicks', ['clicks 2']],
    ['Your order is 3 clicks away', ['clicks 3']],
    ['Reorder with a single click', ['clicks 1']],
    ['Checkout with one single click', ['clicks 1']],
    ['Pay with one tap', ['clicks 1']],
    ['Open an account in three simple steps', ['clicks 3']],
    ['Sign up in 3 quick and easy steps', ['clicks 3']],
    ['Just 3 steps to your new account', ['clicks 3']],
    ['A 3-step checkout', ['clicks 3']],
    ['In only 2 clicks', ['clicks 2']],
    ['No more than 4 clicks to checkout', ['clicks 4']],
    ['Not more than 4 clicks', ['clicks 4']],
    ['Up to 5 clicks', ['clicks 5']],
    ['Book in 2 or 3 taps', ['clicks 3']],
    ['Get started in 5 clicks or fewer', ['clicks 5']],
    ['Get your money back in 3 clicks', ['clicks 3']],
    ['Order in 3\u2011click checkout', ['clicks 3']],
    ['Subscribe in 5\u00A0clicks', ['clicks 5']],
    ['Book a table in TWELVE taps', ['clicks 12']],
    ['Reorder in eighty clicks', ['clicks 80']],
    // seconds and minutes
    ['Checkout in under a minute', ['seconds 60']],
    ['in 60 seconds', ['seconds 60']],
    ['2-minute checkout', ['seconds 120']],
    ['in less than 30s', ['seconds 30']],
    ['within 90 seconds', ['seconds 90']],
    ['in under 2 minutes', ['seconds 120']],
    ['A 30-second signup', ['seconds 30']],
    ['Get a quote in 45 secs', ['seconds 45']],
    ['Open an account in 10 min', ['seconds 600']],
    ['Checkout takes 30 seconds', ['seconds 30']],
    ['Order in half a minute', ['seconds 30']],
    ['Done in a minute and a half', ['seconds 90']],
    ['Done in one and a half minutes', ['seconds 90']],
    ['in 1.5 minutes', ['seconds 90']],
    ['Results in under 1,5 s', ['seconds 1.5']],
    ['Book in 2–3 minutes', ['seconds 180']],
    ['Book in two to three minutes', ['seconds 180']],
    ['Setup takes about 5 minutes', ['seconds 300']],
    ['60 seconds or less', ['seconds 60']],
    ['2 minutes max', ['seconds 120']],
    ['45 s tops', ['seconds 45']],
    ['Checkout in 2 minutes flat', ['seconds 120']],
    ['Track it in forty-five seconds', ['seconds 45']],
    ['in no more than ninety seconds', ['seconds 90']],
    ['Sign up in seventy seconds', ['seconds 70']],
    ['Ready in as little as 5 minutes', ['seconds 300']],
    ['It takes just 2 minutes to sign up', ['seconds 120']],
    ['Signup takes less than a minute', ['seconds 60']],
    ['The app opens in 2 seconds', ['seconds 2']],
    ['Sign up in under 60 seconds from start to finish', ['seconds 60']],
    // several, in reading order; a clause break ends a denial's reach
    ['Order in 3 clicks and under 60 seconds', ['clicks 3', 'seconds 60']],
    ['In under a minute, in two taps', ['seconds 60', 'clicks 2']],
    ['Checkout in 3 clicks on desktop, 5 taps on a phone.', ['clicks 3', 'clicks 5']],
    ['Order in 3 clicks—no account needed', ['clicks 3']],
    ['Get a quote in 30 seconds – no paperwork', ['seconds 30']],
    ['No account? Order in 3 clicks.', ['clicks 3']],
    ['No account needed to order in 3 clicks', ['clicks 3']],
    ["Don't wait: order in 3 clicks", ['clicks 3']],
    ['No 10-step forms: sign up in 2 taps', ['clicks 2']],
    ['24/7 support, and checkout in 3 clicks', ['clicks 3']],
  ])('%s → %j', (text, expected) => {
    expect(found(text)).toEqual(expected)
  })

  it.each([
    // negations and what is no limit
    'Not in 3 clicks, sorry',
    'It never takes under a minute',
    'Checkout used to take 10 clicks',
    "It doesn't take 3 clicks",
    'Checkout isn’t 10 clicks anymore',
    'Instead of 10 clicks, there is a form',
    'More than 10 clicks? Not here.',
    'At least 3 clicks',
    'Save 3 clicks',
    '3 fewer clicks',
    'Only the first 3 clicks are free',
    'Every 3 clicks we save a tree',
    'The next 2 minutes',
    'Over 1,000 clicks a day',
    '500 clicks a day',
    'No 10-step forms',
    'Sale ends in 10 minutes',
    // prices
    '$3 per click',
    '3 € per click',
    '€0.10 per click',
    'Pay-per-click from $0.30',
    'Pricing: 3 USD per 1000 clicks',
    // dates and years
    '3 March 2026',
    'on 12/03/2026',
    'Trusted since 1998',
    'New in 2026',
    'Updated 2026-03-03',
    'Offer ends in 3 days',
    '20 years of service',
    // phone numbers
    'Call +1 (555) 123-4567',
    'Dial 1-800-3-CLICKS',
    'Hotline: 0800 60 60 60, Mon–Fri',
    // times of day
    'Order by 3 pm for same-day delivery',
    'Open 9–5, Monday to Friday',
    'Open 9am–5pm',
    'Support from 9:30 to 17:00',
    'Delivery at 10:30 sharp',
    "Until 5 o'clock",
    // versions
    'Version 3.2.1',
    'Upgrade to v2',
    'Released in 1.2.3 minutes',
    // round the clock, no number, figures of speech
    '24/7 support',
    'Open 24/7/365',
    'Instant checkout',
    'Checkout instantly',
    'Done in seconds',
    'Ready in minutes',
    'In a few clicks',
    'In no time',
    'Done in a second',
    'Just a moment',
    // not a journey's time: reading, distance, delay, deliveries, hours
    'A 5-minute read',
    'Watch the 2-minute video',
    '10 minutes from the station',
    "Within 10 minutes' walk",
    'Posted 2 minutes ago',
    'Delivered within 90 minutes',
    'Delivered in 2 hours',
    'We answer within 24 hours',
    'Wait 1 minute',
    'Spend 5 minutes a day',
    'in the 90s',
    // numbers that are not counts
    '1.5 clicks',
    'x3 clicks',
    '3x faster',
    '3% off',
    'Top 10 products',
    'Step 3 of 5',
    '5 steps to better sleep',
    'Our 3-step guide',
    'Rated 4.5 stars',
    'Chapter 3: clicks',
    'in 0 clicks',
    '',
  ])('no claim in %j', (text) => {
    expect(found(text)).toEqual([])
  })

  it('quotes each claim with its sentence as written and its page', () => {
    const text = 'Welcome to the shop!\n\n  Order   online in 3 clicks. Delivery in 2 days.\nQuestions? Call us.'
    expect(extractClaims(text, { pageUrl })).toEqual([{ kind: 'clicks', value: 3, text: 'Order online in 3 clicks.', pageUrl }])
  })

  it('keeps a claim repeated on a page once, and the same number in two sentences twice', () => {
    const text = 'Checkout in 3 clicks.\nMenu\nCheckout in 3 clicks.\nReorder in 3 clicks.'
    expect(extractClaims(text, { pageUrl }).map((c) => c.text)).toEqual(['Checkout in 3 clicks.', 'Reorder in 3 clicks.'])
  })

  it('cuts a long sentence around its claim, at spaces, within the bound', () => {
    const sentence = `${'lorem ipsum '.repeat(100)}order online in 3 clicks ${'dolor sit '.repeat(100)}`
    const [claim] = extractClaims(sentence, { pageUrl })
    expect(claim!.text.length).toBeLessThanOrEqual(CLAIM_TEXT_MAX)
    expect(claim!.text).toMatch(/^….* order online in 3 clicks .*…$/)
    // Cut at spaces: the quoted words stand in the sentence between spaces.
    const inner = claim!.text.slice(1, -1)
    const at = sentence.indexOf(inner)
    expect(at).toBeGreaterThan(0)
    expect(sentence[at - 1]).toBe(' ')
    expect(sentence[at + inner.length]).toBe(' ')
  })

  it('splits sentences at stops before a space, not inside figures', () => {
    expect(sentences('Results in 1.5 s. Pay in 2 taps! Ready?\nNext')).toEqual(['Results in 1.5 s.', 'Pay in 2 taps!', 'Ready?', 'Next'])
  })
})

describe('claims in long and hostile text', () => {
  // Every pattern must cost a bounded amount of work per start position:
  // no unbounded quantifier outside a character class.
  it('uses bounded quantifiers only, in every language', () => {
    for (const language of Object.values(LANGUAGES)) {
      for (const { regex } of language.patterns) {
        const outsideClasses = regex.source.replace(/\\./g, '').replace(/\[[^\]]*\]/g, '')
        expect(outsideClasses, regex.source.slice(0, 80)).not.toMatch(/[+*]|\{\d+,\}/)
      }
    }
  })

  it.each([
    ['a 10,000-character sentence with a claim at its end', `${'word '.repeat(2000)}in 3 clicks`, 1],
    ['10,000 characters of digits', '1'.repeat(10_000), 0],
    ['limit words without a number', 'in under no more than '.repeat(500), 0],
    ['number words without a unit', 'twenty-one twenty one '.repeat(500), 0],
    ['hyphens and spaces', 'a - - - -'.repeat(1200), 0],
    ['a claim repeated without a stop', 'in 3 clicks '.repeat(900), 1],
    ['ranges with no end', '2-3-4-5-6-'.repeat(1000), 0],
  ])('reads %s', (_, text, claims) => {
    expect(extractClaims(text, { pageUrl })).toHaveLength(claims)
  })

  it('never throws, and every claim is a checkable number quoted within the bound', () => {
    const words = fc.constantFrom('in', 'under', 'a', 'minute', 'seconds', '3', 'three-click', 'clicks', 'not', '1.5', 's', '-', ' ', '.', '\n', 'taps', 'steps', 'easy', '24/7', '$', 'half')
    const text = fc.oneof(fc.string({ maxLength: 300 }), fc.array(words, { maxLength: 60 }).map((w) => w.join(' ')))
    fc.assert(
      fc.property(text, fc.constantFrom(undefined, 'en', 'fr', 'en-GB', ''), (input, lang) => {
        for (const claim of extractClaims(input, { pageUrl, lang })) {
          expect(['clicks', 'seconds']).toContain(claim.kind)
          expect(Number.isFinite(claim.value) && claim.value > 0).toBe(true)
          if (claim.kind === 'clicks') expect(Number.isInteger(claim.value)).toBe(true)
          expect(claim.text.length).toBeGreaterThan(0)
          expect(claim.text.length).toBeLessThanOrEqual(CLAIM_TEXT_MAX)
          expect(claim.pageUrl).toBe(pageUrl)
        }
      }),
      { numRuns: 500 },
    )
  })
})

describe('languages', () => {
  it('reads a page by its lang, English when it has no table', () => {
    expect(languageFor('en-GB').code).toBe('en')
    expect(languageFor('EN').code).toBe('en')
    expect(languageFor(null).code).toBe('en')
    expect(languageFor('de').code).toBe('en')
  })

  it('takes another language as one more table', () => {
    const dutch: ClaimLanguage = {
      code: 'nl',
      hint: /klik/i,
      patterns: [{ kind: 'clicks', regex: /(?<![\p{L}\p{N}])in (?<amount>\d{1,3}) klikken/giu }],
      amount: (w) => Number(w),
      unitSeconds: () => null,
      denial: /(?:^| )niet$/i,
      notALimit: /$^/,
    }
    expect(claimsIn('Bestel in 3 klikken', dutch)).toEqual([{ kind: 'clicks', value: 3, text: 'Bestel in 3 klikken' }])
    expect(claimsIn('Niet in 3 klikken', dutch)).toEqual([])
  })
})

describe('the promise a claim suggests', () => {
  it('titles it with its sentence and budgets it with its number, and the other kind the sentence claims', () => {
    expect(suggestedPromise({ kind: 'clicks', value: 3, text: 'Order online in 3 clicks.' })).toEqual({ title: 'Order online in 3 clicks', budgets: { maxClicks: 3 } })
    expect(suggestedPromise({ kind: 'clicks', value: 5, text: 'Checkout in 3 clicks on desktop, 5 taps on a phone, in under a minute!' })).toEqual({
      title: 'Checkout in 3 clicks on desktop, 5 taps on a phone, in under a minute',
      budgets: { maxClicks: 5, maxSeconds: 60 },
    })
    expect(suggestedPromise({ kind: 'seconds', value: 60, text: '…and checkout in under a minute…' }).title).toBe('and checkout in under a minute')
  })
})
