import type { ClaimLanguage } from './language.ts'

// English claims: "in 3 clicks", "three-click checkout", "2 taps", "in 4
// easy steps", "one-click ordering"; "under a minute", "in 60 seconds",
// "2-minute checkout", "in less than 30s", "60 seconds or less". Only upper
// limits count, and only a time a web journey can take (an hour at most):
// "instant", "in seconds", "24/7", prices, dates, times of day, "save 3
// clicks", "more than 10 clicks" and "not in 3 clicks" claim nothing.
// Bounded quantifiers only (see language.ts).

const ONES = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']
const TEENS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen']
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 }

/** "one" … "ninety-nine" (also "twenty one"), in lower case. */
export const ENGLISH_NUMBERS: ReadonlyMap<string, number> = (() => {
  const words = new Map<string, number>()
  ONES.forEach((word, i) => words.set(word, i + 1))
  TEENS.forEach((word, i) => words.set(word, i + 10))
  for (const [tens, value] of Object.entries(TENS)) {
    words.set(tens, value)
    ONES.forEach((word, i) => {
      words.set(`${tens}-${word}`, value + i + 1)
      words.set(`${tens} ${word}`, value + i + 1)
    })
  }
  return words
})()

// "twenty-one", "twenty one", "seventeen", "seven": longest first, as a small pattern (a list of
// all 171 words costs the regex engine a second to compile).
const WORD = String.raw`(?:(?:${Object.keys(TENS).join('|')})(?:[- ](?:${ONES.join('|')}))?|${TEENS.join('|')}|${ONES.join('|')})`

/** Not inside a larger number or word: "24/7", "1.5", "x3", "$3", "check-in" start nothing. */
const START = String.raw`(?<![\p{L}\p{N}_.,/$€£¥₹-])`
/** A whole word ends here. */
const END = String.raw`(?![\p{L}\p{N}_-])`
/** 3, 45, 1.5, 1,5: not part of a longer figure (1,000; 1.2.3). */
const FIGURE = String.raw`\d{1,4}(?:[.,]\d{1,2})?(?!\d|[.,]\d)`
const WHOLE = String.raw`\d{1,4}(?!\d|[.,]\d)`

/** Words that make a number a limit: "in under", "no more than", "just". */
const QUALIFIER =
  'under|below|less than|fewer than|at most|no more than|not more than|never more than|just|only|as few as|as little as|a mere|barely|about|around|roughly|approximately'
const QUALIFIER_ALONE = 'under|below|less than|fewer than|at most|no more than|not more than|never more than|as few as|as little as|just|only|a mere|barely'
const LEAD = String.raw`(?:(?:in|within|with|takes?|taking|needs?)(?: (?:${QUALIFIER}))?|${QUALIFIER_ALONE}|up to|max(?:imum)?(?: of)?)`

/** Up to two words between a count and its unit: "in 4 easy steps", "two quick taps". */
const ADJECTIVES = String.raw`(?:(?:quick and easy|simple and easy|easy|simple|quick|short|little|small|fast|painless|effortless|single)[ -]){0,2}`
const COUNT = String.raw`(?<amount>${WHOLE}|${WORD}|a single|one single|single|a)`

/** A rate or tally, not a limit: "500 clicks a day", "3 clicks today". */
const NOT_A_RATE = String.raw`(?! (?:a|per|each|every) (?:day|week|month|year|hour|minute|second|visit)${END}| today${END}| this (?:week|month|year)${END})`
/** "a 3-step guide" is advice, not a journey. */
const STEP_NOUNS = 'guide|plan|program|programme|tutorial|video|method|formula|framework|strategy|recipe|routine|approach|system|model|dance|lesson|course|checklist|rule'

// A word amount needs a space before its unit; a figure may touch it ("30s"), or "in as" would be "in a s".
const AMOUNT = String.raw`(?<amount>${FIGURE}|half an?|${WORD}|an?)(?<half> and a half)?(?:(?<=\d) ?| )`
/** "2-3 minutes", "two to three minutes": the upper bound is the claim ("forty-five" is no range). */
const RANGE = String.raw`(?:${WHOLE} ?(?:-|to|or) ?|(?:${WORD}) (?:to|or) )?`
const UNIT = String.raw`(?<unit>seconds|second|secs|sec|s|minutes|minute|mins|min)(?![\p{L}\p{N}_'-])`
/** A distance, a delay or a rate, not a journey: "10 minutes away", "2 minutes ago", "5 minutes a day". */
const NOT_A_DISTANCE = String.raw`(?! (?:a|per|each|every) (?:day|week|month|year)${END}| (?:of|away|ago|later|late|early|before|after|past|behind|walk|drive|ride|on foot|by car)${END})`
/** "a 5-minute read" is no journey either. */
const TIME_NOUNS =
  'read|video|clip|film|movie|trailer|ad|advert|commercial|spot|call|demo|walk|drive|ride|break|talk|podcast|tour|meeting|consultation|chat|session|workout|meditation|song|track|intro|overview|webinar|presentation|lesson|course|class|tutorial|guide|wait|delay|window|warning|timer|timeout|countdown|rule|drill'

const pattern = (kind: 'clicks' | 'seconds', source: string) => ({ kind, regex: new RegExp(source, 'giu') })

export const english: ClaimLanguage = {
  code: 'en',
  hint: /click|tap|step|sec|min|\d ?s/i,
  patterns: [
    // "in 3 clicks", "3 clicks away", "one-click ordering", "with a single tap"
    pattern('clicks', String.raw`${START}(?:${LEAD} )?${COUNT}[ -]${ADJECTIVES}(?:clicks|click|taps|tap)${END}${NOT_A_RATE}`),
    // "in 4 easy steps", "just 3 steps": steps need a limit before them…
    pattern('clicks', String.raw`${START}${LEAD} ${COUNT}[ -]${ADJECTIVES}(?:steps|step)${END}${NOT_A_RATE}`),
    // …or a hyphen: "a 3-step checkout"
    pattern('clicks', String.raw`${START}${COUNT}-step${END}(?! (?:${STEP_NOUNS})${END})`),
    // "in under a minute", "within 90 seconds", "takes 30s", "in 2-3 minutes"
    pattern('seconds', String.raw`${START}${LEAD} ${RANGE}${AMOUNT}${ADJECTIVES}${UNIT}(?<halfUnit> and a half)?${NOT_A_DISTANCE}`),
    // "60 seconds or less", "2 minutes max", "45 s tops"
    pattern('seconds', String.raw`${START}${AMOUNT}${UNIT} (?:or (?:less|under|fewer|so)|max(?:imum)?|tops|at most|at the most|flat)${END}`),
    // "a 30-second checkout", "the two-minute signup"
    pattern('seconds', String.raw`${START}(?<amount>${FIGURE}|half|${WORD})-(?<unit>second|minute|sec|min)${END}(?! (?:${TIME_NOUNS})${END})`),
  ],
  amount(written) {
    if (/^\d/.test(written)) return Number(written.replace(',', '.'))
    if (written === 'a' || written === 'an' || written.endsWith('single')) return 1
    if (written.startsWith('half')) return 0.5
    return ENGLISH_NUMBERS.get(written) ?? null
  },
  unitSeconds: (unit) => (unit.startsWith('m') ? 60 : unit.startsWith('s') ? 1 : null),
  // "in a second", "in a sec": a figure of speech.
  idiom: (amount, unit) => (amount === 'a' || amount === 'an') && unit.startsWith('s'),
  denial: /(?:^| )(?:not|never|no|nor|without|cannot|forget|unlike|neither|instead of|rather than|used to|no longer)(?= |$)|n't(?= |$)/i,
  notALimit:
    /(?:^| )(?:more than|longer than|over|above|at least|saves?|saved|saving|extra|additional|another|first|last|next|every|per|each|ends|ending|starts|starting|begins|closes|closing|expires|expiring|resets)$/i,
}
