import type { ClaimKind, ClaimLanguage } from './language.ts'
import { languageFor } from './languages.ts'

// Checkable claims in a page's text: "Order online in 3 clicks" claims at
// most 3 clicks, "Checkout in under a minute" at most 60 seconds. Pure and
// linear in the text's length, so discovery (and later, drift) can read
// any page a site serves. Each claim quotes its sentence as written.

export type { ClaimKind } from './language.ts'

export interface Claim {
  kind: ClaimKind
  /** Clicks (a whole number), or seconds. */
  value: number
  /** The sentence as written (whitespace collapsed); a long one is cut around the claim, with "…". */
  text: string
  pageUrl: string
}

/** A claim's text is at most a promise title's length (200), so it can be one. */
export const CLAIM_TEXT_MAX = 200
/** Above an hour, a time is not about a web journey ("delivered within 2 days"). */
export const MAX_CLAIM_SECONDS = 3600
/** The most clicks a budget allows. */
export const MAX_CLAIM_CLICKS = 1000

/** The claims of a page's text, in reading order, each (kind, value, sentence) once. */
export function extractClaims(text: string, where: { pageUrl: string; lang?: string | null }): Claim[] {
  const language = languageFor(where.lang)
  const claims: Claim[] = []
  const seen = new Set<string>()
  for (const sentence of sentences(text)) {
    for (const found of claimsIn(sentence, language)) {
      const key = `${found.kind} ${found.value} ${found.text}`
      if (seen.has(key)) continue
      seen.add(key)
      claims.push({ ...found, pageUrl: where.pageUrl })
    }
  }
  return claims
}

/** Lines (block boundaries of the page), then sentences: a stop, "!", "?" or "…" before a space. */
export function sentences(text: string): string[] {
  const found: string[] = []
  for (const line of text.split(/[\r\n\u2028\u2029]/)) {
    for (const part of line.split(/(?<=[.!?…])\s/)) {
      // Runs of whitespace and odd spaces (tabs, no-break) become one space; single spaces, most of a text, stay
      // untouched (replacing each of them costs a megabyte of text a large part of a second).
      const sentence = part.replace(/\s{2,}|[^\S ]/g, ' ').trim()
      if (sentence) found.push(sentence)
    }
  }
  return found
}

/** One sentence's claims, in the order they are written, each (kind, value) once. */
export function claimsIn(sentence: string, language: ClaimLanguage): Omit<Claim, 'pageUrl'>[] {
  if (!language.hint.test(sentence)) return []
  // Same length as the sentence, so indices match: hyphens and apostrophes of one kind (an em dash stays a break).
  const plain = sentence.replace(/[\u2010-\u2013\u2212]/g, '-').replace(/[\u2018\u2019\u02bc]/g, "'")
  const found: { index: number; end: number; kind: ClaimKind; value: number }[] = []
  for (const { kind, regex } of language.patterns) {
    // exec over the shared global pattern rather than matchAll, which copies the pattern for every sentence.
    regex.lastIndex = 0
    for (let match = regex.exec(plain); match !== null; match = regex.exec(plain)) {
      if (match[0] === '') regex.lastIndex += 1 // a language's pattern that matches nothing must not loop
      const value = valueOf(kind, match.groups ?? {}, language)
      if (value === null || !isLimit(plain, match.index, language)) continue
      found.push({ index: match.index, end: match.index + match[0].length, kind, value })
    }
  }
  found.sort((a, b) => a.index - b.index)
  const claims: Omit<Claim, 'pageUrl'>[] = []
  for (const f of found) {
    if (claims.some((c) => c.kind === f.kind && c.value === f.value)) continue
    claims.push({ kind: f.kind, value: f.value, text: quote(sentence, f.index, f.end) })
  }
  return claims
}

function valueOf(kind: ClaimKind, groups: Record<string, string | undefined>, language: ClaimLanguage): number | null {
  const written = groups.amount?.toLowerCase().replace(/\s+/g, ' ')
  if (written === undefined) return null
  let amount = language.amount(written)
  if (amount === null) return null
  if (groups.half || groups.halfUnit) amount = Number.isInteger(amount) ? amount + 0.5 : NaN
  if (kind === 'clicks') return Number.isInteger(amount) && amount > 0 && amount <= MAX_CLAIM_CLICKS ? amount : null
  const unit = groups.unit?.toLowerCase() ?? ''
  const perUnit = language.unitSeconds(unit)
  if (perUnit === null || language.idiom?.(written, unit)) return null
  const seconds = Math.round(amount * perUnit * 1000) / 1000
  return Number.isFinite(seconds) && seconds > 0 && seconds <= MAX_CLAIM_SECONDS ? seconds : null
}

/** How far back a claim's clause is read for what denies it: a few words, within its clause. */
const LOOK_BACK = 60

/** Not denied ("not in 3 clicks") nor made something else ("save 3 clicks") by the words before it. */
function isLimit(plain: string, index: number, language: ClaimLanguage): boolean {
  const before = plain.slice(Math.max(0, index - LOOK_BACK), index)
  const clause = before.split(/[,;:!?()"“”—]| [-–] /).pop()!.trim()
  const words = clause.split(' ').slice(-3).join(' ')
  return !language.denial.test(words) && !language.notALimit.test(words)
}

/** The sentence, or a window of it around the claim cut at spaces, at most CLAIM_TEXT_MAX characters. */
export function quote(sentence: string, start: number, end: number): string {
  if (sentence.length <= CLAIM_TEXT_MAX) return sentence
  const room = CLAIM_TEXT_MAX - 2
  let from = Math.max(0, Math.min(start - Math.floor((room - (end - start)) / 2), sentence.length - room))
  let to = Math.min(sentence.length, from + room)
  if (from > 0) {
    const space = sentence.indexOf(' ', from)
    if (space !== -1 && space < start) from = space + 1
  }
  if (to < sentence.length) {
    const space = sentence.lastIndexOf(' ', to)
    if (space > end) to = space
  }
  return `${from > 0 ? '…' : ''}${sentence.slice(from, to).trim()}${to < sentence.length ? '…' : ''}`
}
