// What a language brings to claim extraction: its number words, the
// patterns of a checkable claim ("in 3 clicks", "under a minute"), and the
// words that deny one ("not in 3 clicks") or make it something else ("save
// 3 clicks", "more than 10 clicks"). English is the first; another language
// is one more table in LANGUAGES (claims/languages.ts), keyed by its code.
//
// Every pattern is run over whole sentences of page text, up to thousands
// of characters: it uses bounded quantifiers only ({0,2}, {1,4}, never + or
// *), so each start position costs a bounded amount of work and a sentence
// costs time linear in its length (the unit test checks the sources).

export type ClaimKind = 'clicks' | 'seconds'

export interface ClaimPattern {
  kind: ClaimKind
  /**
   * Global ('g'), case-insensitive; named groups `amount` (a number as
   * written: "3", "1,5", "three", "a single") and, for seconds, `unit`
   * ("minutes", "s"); `half` when "and a half" follows the amount or unit.
   */
  regex: RegExp
}

export interface ClaimLanguage {
  /** Primary language subtag: "en". */
  code: string
  /** A cheap test a sentence must pass before the patterns run over it (most sentences claim nothing). */
  hint: RegExp
  patterns: readonly ClaimPattern[]
  /** An amount as written, in lower case, to its number; null when it is not one. */
  amount(written: string): number | null
  /** Seconds in one `unit` as written in lower case ("minute" → 60); null when not a time unit. */
  unitSeconds(unit: string): number | null
  /** Amounts that are figures of speech with this unit ("in a second"): no claim. */
  idiom?(amount: string, unit: string): boolean
  /** Tested on the last words before a claim, within its clause: a match denies it ("not", "never", "n't"). */
  denial: RegExp
  /** Tested on the words right before a claim: a match makes it no limit ("more than", "save", "first"). */
  notALimit: RegExp
}
