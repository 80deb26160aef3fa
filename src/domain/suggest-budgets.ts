import type { Budgets } from './budget.ts'

// Budgets suggested by a promise's own words: "Order online in 3 clicks"
// suggests max 3 clicks, "checkout in under a minute" max 60 seconds. Only
// numbers tied to clicks, taps or a time limit count ("24/7 support" and
// "3 stores" suggest nothing). A suggestion: the owner confirms it.

const UNITS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']
const TEENS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen']
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, ninety: 90 }

const NUMBER_WORDS = new Map<string, number>()
UNITS.forEach((word, i) => NUMBER_WORDS.set(word, i + 1))
TEENS.forEach((word, i) => NUMBER_WORDS.set(word, i + 10))
for (const [tens, value] of Object.entries(TENS)) {
  NUMBER_WORDS.set(tens, value)
  UNITS.forEach((word, i) => {
    NUMBER_WORDS.set(`${tens}-${word}`, value + i + 1)
    NUMBER_WORDS.set(`${tens} ${word}`, value + i + 1)
  })
}

// Longest first, so "twenty-one" wins over "twenty".
const WORD = [...NUMBER_WORDS.keys()].sort((a, b) => b.length - a.length).join('|')
/** Not part of a larger number or word: "24/7", "1.5", "x3" are not counts. */
const START = String.raw`(?<![\w.,/-])`

const CLICKS = new RegExp(
  String.raw`${START}(\d+|${WORD}|a single|single|a)[\s-]+(?:(?:simple|easy|quick|short|little)\s+)?(?:clicks?|taps?)\b`,
  'i',
)

// A time only counts after words that make it a limit ("in", "under",
// "within", "less than"…) or as an adjective ("a 30-second checkout").
const LIMIT = String.raw`(?:in\s+(?:under|less\s+than|at\s+most|no\s+more\s+than|just|only)|in|within|under|below|less\s+than|at\s+most|no\s+more\s+than|up\s+to|takes?|max(?:imum)?)`
const AMOUNT = String.raw`(\d+(?:[.,]\d+)?|half\s+an?|${WORD}|an?)`
const SECONDS = String.raw`(s|secs?|seconds?|min|mins|minutes?)`
const TIME_LIMIT = new RegExp(String.raw`\b${LIMIT}\s+${AMOUNT}\s*${SECONDS}(?![\w])`, 'i')
const TIME_ADJECTIVE = new RegExp(String.raw`${START}${AMOUNT}-(second|minute)\b`, 'i')
// …or before words that make it one: "60 seconds or less", "2 minutes max".
const TIME_TRAILING = new RegExp(
  String.raw`${START}${AMOUNT}\s*${SECONDS}\s+(?:or\s+(?:less|under)|max(?:imum)?|tops|at\s+most)\b`,
  'i',
)

/** Above an hour, a time is not about a web journey ("delivered within 2 days"). */
const MAX_SUGGESTED_SECONDS = 3600

export function suggestBudgets(words: string): Budgets {
  const budgets: Budgets = {}
  const clicks = CLICKS.exec(words)
  if (clicks) {
    const count = amountOf(clicks[1]!)
    if (count !== null && Number.isInteger(count) && count > 0) budgets.maxClicks = count
  }
  const time = earliest([TIME_LIMIT.exec(words), TIME_ADJECTIVE.exec(words), TIME_TRAILING.exec(words)])
  if (time) {
    const amount = amountOf(time[1]!)
    const seconds = amount === null ? null : amount * (/^m/i.test(time[2]!) ? 60 : 1)
    if (seconds !== null && seconds > 0 && seconds <= MAX_SUGGESTED_SECONDS) budgets.maxSeconds = seconds
  }
  return budgets
}

function earliest(matches: (RegExpExecArray | null)[]): RegExpExecArray | null {
  return matches.reduce<RegExpExecArray | null>(
    (first, match) => (match !== null && (first === null || match.index < first.index) ? match : first),
    null,
  )
}

function amountOf(written: string): number | null {
  const text = written.toLowerCase().replace(/\s+/g, ' ')
  if (/^\d/.test(text)) return Number(text.replace(',', '.'))
  if (text === 'a' || text === 'an' || text === 'single' || text === 'a single') return 1
  if (text.startsWith('half ')) return 0.5
  return NUMBER_WORDS.get(text) ?? null
}
