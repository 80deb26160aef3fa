import type { Step } from './journey/ast.ts'
import { parseJourney } from './journey/parse.ts'

// Does the journey check what the promise says? "Order a gift card online
// in 4 clicks" walked through an espresso-cup order is "kept" and means
// nothing. From the promise's words, the thing it is about (the object of an
// action: "order a gift card", "find a store", "sign up for the
// newsletter") must be named by some step: a click target, an option, an
// expected text, a URL. Only English actions are recognised: a title in
// another language, or with no action ("We promise!"), gets no warning
// rather than a wrong one. Pure; never blocks saving.

export interface WordWarning {
  /** The words of the promise no step names, as written: "gift card". */
  words: string
  message: string
  /** A step that would check them: expect "Gift card". */
  suggestion: string
}

/** Actions a promise promises, written as one token ("sign up" → signup). */
const ACTIONS = new Set([
  'order', 'reorder', 'buy', 'purchase', 'book', 'reserve', 'rent', 'find', 'locate', 'search', 'compare', 'pay',
  'subscribe', 'signup', 'register', 'download', 'track', 'get', 'add', 'apply', 'open', 'create', 'renew', 'return',
  'cancel', 'contact', 'schedule', 'request', 'claim', 'redeem', 'join', 'upgrade', 'donate', 'checkout', 'send', 'ship',
  'transfer', 'report', 'change', 'update', 'save', 'share', 'upload', 'print', 'activate',
])

/** Words that stop or pad the object of an action: what they buy stops at "online", "in", "under"… */
const STOP = new Set([
  'a', 'an', 'the', 'your', 'our', 'their', 'his', 'her', 'its', 'my', 'some', 'any', 'this', 'that', 'these', 'those',
  'new', 'for', 'to', 'of', 'in', 'on', 'at', 'by', 'with', 'within', 'under', 'over', 'than', 'less', 'more', 'most',
  'no', 'not', 'just', 'only', 'online', 'from', 'and', 'or', 'up', 'out', 'into', 'via', 'all', 'every', 'one', 'two',
  'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'few', 'click', 'clicks', 'tap', 'taps', 'second',
  'seconds', 'sec', 'secs', 's', 'minute', 'minutes', 'min', 'mins', 'hour', 'hours', 'h', 'step', 'steps', 'fast',
  'quick', 'quickly', 'easy', 'easily', 'simple', 'simply', 'instant', 'instantly', 'now', 'today', 'always', 'can',
  'will', 'is', 'are', 'be', 'it', 'you', 'we', 'customers', 'customer', 'people', 'anyone', 'everyone', 'single',
  'max', 'tops', 'half', 'least', 'ever', 'easier', 'faster', 'home', 'page', 'results', 'result',
])

/** Skipped between an action and its object: "sign up for the newsletter". */
const LEAD_IN = new Set(['a', 'an', 'the', 'your', 'our', 'their', 'my', 'some', 'any', 'this', 'that', 'new', 'for', 'to'])

const PHRASAL: [RegExp, string][] = [
  [/\bsign[\s-]+up\b/g, 'signup'],
  [/\bsign[\s-]+in\b/g, 'signin'],
  [/\blog[\s-]+in\b/g, 'login'],
  [/\bcheck[\s-]+out\b/g, 'checkout'],
  [/\bset[\s-]+up\b/g, 'setup'],
]

function tokens(text: string): string[] {
  let t = text.toLowerCase().normalize('NFKC')
  for (const [pattern, joined] of PHRASAL) t = t.replace(pattern, joined)
  return t.split(/[^\p{L}\p{N}]+/u).filter(Boolean)
}

/** "cards" → "card", "boxes" → "box", "stores" → "store"; short words stay. */
function stem(word: string): string {
  if (word.length > 4 && /(ches|shes|sses|xes)$/.test(word)) return word.slice(0, -2)
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1)
  return word
}

const actionOf = (word: string) => ACTIONS.has(word) || (word.endsWith('s') && ACTIONS.has(word.slice(0, -1)))

/** The objects of the promise's actions, each as its words: "order a gift card online" → [["gift", "card"]]. */
export function promiseObjects(title: string): string[][] {
  const words = tokens(title)
  const objects: string[][] = []
  for (let i = 0; i < words.length; i++) {
    if (!actionOf(words[i]!)) continue
    let j = i + 1
    while (j < words.length && LEAD_IN.has(words[j]!)) j++
    const object: string[] = []
    while (j < words.length && object.length < 3 && !STOP.has(words[j]!) && !/^\d/.test(words[j]!) && !actionOf(words[j]!)) object.push(words[j++]!)
    if (object.length > 0) objects.push(object)
  }
  return objects
}

/** What a step names that could check a promise's object: its target, option, expected text, or URL path. */
function namedBy(step: Step): string {
  switch (step.kind) {
    case 'click':
    case 'check':
    case 'uncheck':
      return step.target
    case 'select':
      return step.option
    case 'expectText':
    case 'waitFor':
      return step.expected
    case 'expectUrl':
      return step.contains
    case 'goto':
      return urlPath(step.url)
    default:
      return ''
  }
}

function urlPath(url: string): string {
  try {
    const u = new URL(url)
    return `${u.pathname} ${u.search}`
  } catch {
    return ''
  }
}

/** The object's words stand together in the text (stems compared), or run together ("giftcard", "gift-card"). */
function names(text: string, object: string[]): boolean {
  const words = tokens(text).map(stem)
  const wanted = object.map(stem)
  for (let i = 0; i + wanted.length <= words.length; i++) {
    if (wanted.every((w, k) => words[i + k] === w)) return true
  }
  return wanted.length > 1 && words.join('').includes(wanted.join(''))
}

/** uncheckedWords of a journey's text; none while it does not parse (its errors come first). */
export function journeyWordWarnings(title: string, journey: string): WordWarning[] {
  const parsed = parseJourney(journey)
  return parsed.ok ? uncheckedWords(title, parsed.journey.steps) : []
}

/** The promise's objects no step names, each with a step that would check it. */
export function uncheckedWords(title: string, steps: Step[]): WordWarning[] {
  const texts = steps.map(namedBy).filter(Boolean)
  const warnings: WordWarning[] = []
  for (const object of promiseObjects(title)) {
    if (texts.some((text) => names(text, object))) continue
    const words = object.join(' ')
    if (warnings.some((w) => w.words === words)) continue
    const shown = words.charAt(0).toUpperCase() + words.slice(1)
    warnings.push({
      words,
      message: `Nothing in your steps checks for "${words}": add expect "${shown}" or click "${shown}"`,
      suggestion: `expect "${shown}"`,
    })
  }
  return warnings
}
