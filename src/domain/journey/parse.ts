import type { Journey, ParseError, Step, StepSpec, Which } from './ast.ts'
import { KEY_EXAMPLES, normalizeKey } from './keys.ts'
import { PLACEHOLDER_EXAMPLES, scanPlaceholders } from './secrets.ts'
import { tokenize, type Token } from './tokenize.ts'

// The plain-language journey parser: one step a line, verbs in any case,
// blank lines and # comments ignored. Pure and total: it never throws, and
// reports every bad line (one error each) with the line and column, what
// was expected and what was found.

export const MAX_STEPS = 200
export const MAX_LINE_LENGTH = 2_000

export type ParseResult = { ok: true; journey: Journey } | { ok: false; errors: ParseError[] }

export function formatParseError(e: ParseError): string {
  return `line ${e.line}, column ${e.column}: ${e.message}`
}

export function parseJourney(text: string): ParseResult {
  const lines = text.split(/\r\n|\r|\n/)
  const steps: Step[] = []
  const errors: ParseError[] = []
  const secrets = new Set<string>()
  let stepLines = 0
  let firstStep: { line: number; column: number; verb: string; ok: boolean } | null = null
  let tooManyAt: { line: number; column: number } | null = null

  for (const [index, raw] of lines.entries()) {
    const line = index + 1
    const trimmed = raw.trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    stepLines++
    const column = raw.length - raw.trimStart().length + 1
    if (stepLines > MAX_STEPS) {
      tooManyAt ??= { line, column }
      continue
    }
    if (raw.length > MAX_LINE_LENGTH) {
      errors.push({
        line,
        column: MAX_LINE_LENGTH + 1,
        message: `expected at most ${MAX_LINE_LENGTH} characters on a line, found ${raw.length}`,
      })
      firstStep ??= { line, column, verb: '', ok: false }
      continue
    }
    const parsed = parseLine(raw)
    firstStep ??= { line, column, verb: firstWord(trimmed), ok: parsed.ok && parsed.step.kind === 'goto' }
    if (!parsed.ok) {
      errors.push({ line, column: parsed.column, message: parsed.message })
      continue
    }
    steps.push({ ...parsed.step, line, text: trimmed })
    for (const name of parsed.secrets) secrets.add(name)
  }

  const first = firstStep
  if (first === null) {
    errors.push({ line: 1, column: 1, message: `expected a first step like go to ${EXAMPLE_URL}, found no steps` })
  } else if (!first.ok && !errors.some((e) => e.line === first.line)) {
    errors.push({
      line: first.line,
      column: first.column,
      message: `expected the journey to start with go to and a web address, like go to ${EXAMPLE_URL}, found ${first.verb}`,
    })
  }
  if (tooManyAt !== null) {
    errors.push({
      ...tooManyAt,
      message: `expected at most ${MAX_STEPS} steps in a journey, found ${stepLines}; split it into several promises`,
    })
  }

  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.line - b.line) }
  return { ok: true, journey: { steps, secrets: [...secrets] } }
}

/** One step on its own, as a code check's perform() takes it: the step, or its error (line 1). */
export function parseOneStep(text: string): { ok: true; step: StepSpec } | { ok: false; error: ParseError } {
  if (text.length > MAX_LINE_LENGTH || /[\r\n]/.test(text)) {
    return { ok: false, error: { line: 1, column: 1, message: `expected one step on one line of at most ${MAX_LINE_LENGTH} characters, found ${text.length > MAX_LINE_LENGTH ? `${text.length} characters` : 'several lines'}` } }
  }
  const parsed = parseLine(text)
  if (!parsed.ok) return { ok: false, error: { line: 1, column: parsed.column, message: parsed.message } }
  return { ok: true, step: parsed.step }
}

const EXAMPLE_URL = 'https://shop.example.com'
const LIST_MARKER = /^(?:\d{1,3}[.)]|[-*\u2022])$/
const STEP_EXAMPLES = 'go to, click, fill, select, check, uncheck, press, hover, double click, scroll to, expect or wait'
/** The longest `wait N seconds`: a walk is not a place to sleep; `wait for "text"` waits as long as needed. */
export const MAX_WAIT_SECONDS = 60

type LineResult = { ok: true; step: StepSpec; secrets: string[] } | { ok: false; column: number; message: string }

function parseLine(raw: string): LineResult {
  const tokenized = tokenize(raw)
  if (!tokenized.ok) return tokenized
  const reader = new Reader(tokenized.tokens)
  try {
    const step = parseStep(reader)
    reader.expectEnd()
    return { ok: true, step, secrets: reader.secrets }
  } catch (error) {
    if (error instanceof LineError) return { ok: false, column: error.column, message: error.message }
    throw error
  }
}

const TARGET = 'a quoted target like "Add to cart"'
const FIELD = 'a quoted field like "Email"'
const CHECKBOX = 'a quoted checkbox like "I accept the terms"'
const TEXT = 'a quoted text like "Order confirmed"'

function parseStep(r: Reader): StepSpec {
  // Steps pasted from a numbered or bulleted list: "1. click …", "- click …".
  r.acceptListMarker()
  const first = r.next()
  if (first === undefined || first.kind !== 'word') {
    throw r.error(first, `expected a step such as ${STEP_EXAMPLES}, found ${describe(first)}`)
  }
  const verb = first.value.toLowerCase()
  switch (verb) {
    case 'go':
    case 'navigate':
      r.expectWord(['to'], verb)
      return { kind: 'goto', url: r.url(`${verb} to`) }
    case 'goto':
    case 'open':
    case 'visit':
      return { kind: 'goto', url: r.url(verb) }
    case 'click':
    case 'tap':
      return { kind: 'click', ...r.which(TARGET, verb) }
    case 'double':
      r.expectWord(['click', 'tap'], verb)
      return { kind: 'click', ...r.which(TARGET, `double ${r.last()}`), double: true }
    case 'double-click':
    case 'doubleclick':
    case 'dblclick':
      return { kind: 'click', ...r.which(TARGET, verb), double: true }
    case 'fill': {
      const which = r.which(FIELD, verb)
      r.expectWord(['with'], `fill ${r.last()}`)
      const value = r.quoted('a quoted value like "ana@example.com"', 'with', { allowEmpty: true })
      if (!r.acceptWord('and')) return { kind: 'fill', ...which, value }
      r.expectWord(['press'], 'and')
      return { kind: 'fill', ...which, value, press: r.key() }
    }
    case 'select': {
      const option = r.quoted('a quoted option like "Large"', verb)
      r.expectWord(['in', 'from'], `select ${r.last()}`)
      return { kind: 'select', option, ...r.which('a quoted field like "Size"', r.last()) }
    }
    case 'check':
    case 'uncheck':
      return { kind: verb, ...r.which(CHECKBOX, verb) }
    case 'hover':
      r.acceptWord('over')
      return { kind: 'hover', ...r.which('a quoted target like "Menu"', r.last()) }
    case 'scroll':
      r.expectWord(['to'], verb)
      return { kind: 'scrollTo', ...r.which('a quoted target like "Reviews"', 'scroll to') }
    case 'press':
      return { kind: 'press', key: r.key() }
    case 'expect':
      if (r.acceptWord('url')) {
        // "expect url to contain" reads as well as "expect url contains".
        if (r.acceptWord('to')) r.expectWord(['contain'], 'expect url to')
        else r.expectWord(['contains'], 'expect url')
        return { kind: 'expectUrl', contains: r.quoted('a quoted part of the address like "/checkout"', 'contains') }
      }
      if (r.acceptWord('no') || r.acceptWord('not')) {
        return { kind: 'expectNoText', ...r.text('a quoted text like "Error"', `expect ${r.last()}`) }
      }
      return { kind: 'expectText', ...r.text('a quoted text like "Order confirmed", no "Error" or url contains "/checkout"', verb) }
    case 'wait':
      if (r.acceptWord('for')) return { kind: 'waitFor', ...r.text(TEXT, 'wait for') }
      return { kind: 'wait', seconds: r.duration() }
    default:
      throw r.error(first, `expected a step such as ${STEP_EXAMPLES}, found ${describe(first)}${hintFor(verb)}`)
  }
}

/** `1st`, `2nd`, `third`…: the position, 1-based; -1 for `last`; 0 for a number that is no position (`0th`); undefined for any other word. */
function positionOf(word: string): number | undefined {
  const numbered = /^(\d{1,4})(?:st|nd|rd|th)$/.exec(word)
  if (numbered) return Number(numbered[1])
  if (word === 'last') return -1
  const index = POSITION_WORDS.indexOf(word)
  return index < 0 ? undefined : index + 1
}
const POSITION_WORDS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth']

const TIME_UNITS: Record<string, number> = {
  ms: 0.001, millisecond: 0.001, milliseconds: 0.001,
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  min: 60, minute: 60, minutes: 60,
}

class LineError extends Error {
  constructor(
    readonly column: number,
    message: string,
  ) {
    super(message)
  }
}

/** Walks the tokens of one line; every `expect…` throws a LineError that names the spot. */
class Reader {
  readonly secrets: string[] = []
  private position = 0

  constructor(private readonly tokens: Token[]) {}

  next(): Token | undefined {
    return this.tokens[this.position++]
  }

  /** The last token read, as written: "Email" in `after fill "Email"`. */
  last(): string {
    return this.tokens[this.position - 1]?.source ?? ''
  }

  acceptListMarker(): void {
    const token = this.tokens[this.position]
    if (token?.kind === 'word' && LIST_MARKER.test(token.value)) this.position++
  }

  acceptWord(word: string): boolean {
    const token = this.tokens[this.position]
    if (token?.kind !== 'word' || token.value.toLowerCase() !== word) return false
    this.position++
    return true
  }

  expectWord(words: string[], after: string): void {
    const token = this.tokens[this.position]
    if (token?.kind === 'word' && words.includes(token.value.toLowerCase())) {
      this.position++
      return
    }
    throw this.error(token, `expected ${words.join(' or ')} after ${after}, found ${describe(token)}`)
  }

  quoted(what: string, after: string, options: { allowEmpty?: boolean } = {}): string {
    const token = this.next()
    if (token?.kind !== 'quoted') throw this.error(token, `expected ${what} after ${after}, found ${describe(token)}`)
    if (!options.allowEmpty && token.value.trim() === '') {
      throw this.error(token, `expected ${what} after ${after}, found an empty text ${token.source}`)
    }
    this.checkPlaceholders(token)
    return token.value
  }

  /**
   * A target and which one it is: `[the 2nd|the last] ("Name" | test id "id") [in "Text"]`.
   * `what` names the quoted target expected after `after`.
   */
  which(what: string, after: string): Which & { target: string } {
    let nth: number | undefined
    const lead = this.tokens[this.position]
    const leadWord = lead?.kind === 'word' ? lead.value.toLowerCase() : ''
    if (leadWord === 'the' || positionOf(leadWord) !== undefined) {
      if (leadWord === 'the') this.position++
      const token = this.next()
      nth = token?.kind === 'word' ? positionOf(token.value.toLowerCase()) : undefined
      if (nth === undefined || nth === 0) {
        throw this.error(token, `expected a position like 1st, 2nd, 3rd or last after ${leadWord === 'the' ? 'the' : after}, found ${describe(token)}`)
      }
      after = this.last()
    }
    let testId = false
    let target: string
    if (this.acceptTestId()) {
      testId = true
      const token = this.tokens[this.position]
      target = this.quoted('a quoted test id like "shopping-cart-link"', 'test id')
      if (/\s/.test(target)) {
        throw this.error(token, `expected a test id without spaces like "shopping-cart-link" after test id, found ${describe(token)}`)
      }
    } else {
      target = this.quoted(what, after)
    }
    const within = this.acceptWord('in') ? this.quoted('a quoted text like "Sauce Labs Backpack"', 'in') : undefined
    return { target, ...(testId ? { testId: true as const } : {}), ...(nth !== undefined ? { nth } : {}), ...(within !== undefined ? { within } : {}) }
  }

  /** An expected text, maybe `in "…"` a part of the page. */
  text(what: string, after: string): { expected: string; within?: string } {
    const expected = this.quoted(what, after)
    if (!this.acceptWord('in')) return { expected }
    return { expected, within: this.quoted('a quoted text like "Sauce Labs Backpack"', 'in') }
  }

  /** `2 seconds`, `1.5 s`, `500 ms`, `2s`: in seconds, above 0 and at most MAX_WAIT_SECONDS. */
  duration(): number {
    const token = this.next()
    const expected = `expected for "text" or a time like 2 seconds after wait, found ${describe(token)}`
    if (token?.kind !== 'word') throw this.error(token, expected)
    const joined = /^(\d+(?:\.\d+)?)([a-z]+)$/i.exec(token.value)
    const number = joined ? joined[1]! : token.value
    if (!/^\d+(?:\.\d+)?$/.test(number)) throw this.error(token, expected)
    let unitToken: Token | undefined = token
    let unit = joined?.[2]?.toLowerCase()
    if (unit === undefined) {
      unitToken = this.next()
      unit = unitToken?.kind === 'word' ? unitToken.value.toLowerCase() : undefined
    }
    const factor = unit === undefined ? undefined : TIME_UNITS[unit]
    if (factor === undefined) throw this.error(unitToken, `expected seconds or ms after wait ${number}, found ${describe(unitToken)}`)
    const seconds = Math.round(Number(number) * factor * 1000) / 1000
    const written = joined ? token.source : `${token.source} ${unitToken!.source}`
    if (seconds <= 0) throw this.error(token, `expected a wait longer than 0 seconds, found ${written}`)
    if (seconds > MAX_WAIT_SECONDS) {
      throw this.error(token, `expected a wait of at most ${MAX_WAIT_SECONDS} seconds (wait for "text" waits until it shows), found ${written}`)
    }
    return seconds
  }

  private acceptTestId(): boolean {
    const token = this.tokens[this.position]
    if (token?.kind !== 'word') return false
    const word = token.value.toLowerCase()
    if (word === 'testid' || word === 'test-id') {
      this.position++
      return true
    }
    const next = this.tokens[this.position + 1]
    if (word !== 'test' || next?.kind !== 'word' || next.value.toLowerCase() !== 'id') return false
    this.position += 2
    return true
  }

  url(after: string): string {
    const token = this.next()
    if (token === undefined) {
      throw this.error(token, `expected a web address like ${EXAMPLE_URL} after ${after}, found the end of the line`)
    }
    if (!isAbsoluteWebAddress(token.value)) {
      throw this.error(
        token,
        `expected an absolute web address starting with http:// or https:// after ${after}, found ${describe(token)}`,
      )
    }
    this.checkPlaceholders(token)
    return token.value
  }

  key(): string {
    const token = this.next()
    if (token === undefined) throw this.error(token, 'expected a key like "Enter" after press, found the end of the line')
    const key = normalizeKey(token.value)
    if (key === null) {
      throw this.error(token, `expected a key name such as ${KEY_EXAMPLES} after press, found ${describe(token)}`)
    }
    return key
  }

  expectEnd(): void {
    const token = this.tokens[this.position]
    if (token !== undefined) {
      throw this.error(token, `expected the end of the line after the step, found ${describe(token)} (a comment starts with #)`)
    }
  }

  /** An error at `token`, or just after the last token when the line ended. */
  error(token: Token | undefined, message: string): LineError {
    if (token !== undefined) return new LineError(token.column, message)
    const last = this.tokens[this.tokens.length - 1]
    return new LineError(last === undefined ? 1 : last.column + last.source.length, message)
  }

  private checkPlaceholders(token: Token): void {
    const scan = scanPlaceholders(token.value)
    if (scan.malformedAt !== null) {
      const close = token.value.indexOf('}}', scan.malformedAt)
      const found = token.value.slice(scan.malformedAt, close < 0 ? undefined : close + 2)
      throw new LineError(
        token.columns[scan.malformedAt] ?? token.column,
        `expected a placeholder like ${PLACEHOLDER_EXAMPLES}, found ${shorten(found)}`,
      )
    }
    this.secrets.push(...scan.names)
  }
}

function isAbsoluteWebAddress(value: string): boolean {
  if (!/^https?:\/\/\S/i.test(value)) return false
  // Placeholders stand for text the runner fills in; the rest must be a URL.
  const filled = value.replace(/\{\{[^}]*\}\}/g, 'x')
  try {
    const url = new URL(filled)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}

function describe(token: Token | undefined): string {
  return token === undefined ? 'the end of the line' : shorten(token.source)
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text
}

/** The verb as written, after any list marker. */
function firstWord(trimmed: string): string {
  const words = trimmed.split(/\s+/)
  const verb = LIST_MARKER.test(words[0] ?? '') && words.length > 1 ? words[1] : words[0]
  return shorten(verb ?? '')
}

// "Did you mean" for a mistyped verb, and the verb for words people use.
const VERBS: Record<string, string> = {
  go: 'go to',
  open: 'open',
  visit: 'visit',
  click: 'click',
  tap: 'tap',
  fill: 'fill',
  select: 'select',
  check: 'check',
  uncheck: 'uncheck',
  press: 'press',
  hover: 'hover',
  scroll: 'scroll to',
  double: 'double click',
  expect: 'expect',
  wait: 'wait for',
}
const SYNONYMS: Record<string, string> = {
  type: 'fill "Field" with "value"',
  enter: 'fill "Field" with "value"',
  input: 'fill "Field" with "value"',
  choose: 'select "Option" in "Field"',
  pick: 'select "Option" in "Field"',
  see: 'expect "text"',
  verify: 'expect "text"',
  assert: 'expect "text"',
  should: 'expect "text"',
  browse: 'go to',
  sleep: 'wait 2 seconds',
  pause: 'wait 2 seconds',
  mouseover: 'hover "Menu"',
}

function hintFor(word: string): string {
  const synonym = SYNONYMS[word]
  if (synonym !== undefined) return ` (did you mean ${synonym}?)`
  if (word.length < 3) return ''
  for (const [verb, shown] of Object.entries(VERBS)) {
    if (editDistance(word, verb) <= (verb.length <= 4 ? 1 : 2)) return ` (did you mean ${shown}?)`
  }
  return ''
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution))
    }
    previous = current
  }
  return previous[b.length]!
}
