// Splits one journey line into words and quoted texts, keeping the column
// of every character so that errors can point at the exact spot.

/** Quote marks that open a text. Curly ones are accepted: people paste from documents. */
const OPENING_QUOTES = '"\u201C\u201D\u201E'
/** A text opened with a curly quote may close with any double quote. */
const CURLY_CLOSING = '"\u201C\u201D'

export interface Token {
  kind: 'word' | 'quoted'
  /** The text, with escapes resolved and without its quotes. */
  value: string
  /** The token as written. */
  source: string
  /** 1-based column of the token's first character. */
  column: number
  /** 1-based column of each character of `value`, for errors inside it. */
  columns: number[]
}

export type TokenizeResult = { ok: true; tokens: Token[] } | { ok: false; column: number; message: string }

const isSpace = (ch: string) => /\s/.test(ch)

/**
 * A `#` that starts a token starts a comment, so `#` inside a word
 * (https://shop.example.com/#top) or inside quotes is kept.
 */
export function tokenize(line: string): TokenizeResult {
  const tokens: Token[] = []
  let i = 0
  while (i < line.length) {
    const ch = line[i]!
    if (isSpace(ch)) {
      i++
      continue
    }
    if (ch === '#') break
    if (OPENING_QUOTES.includes(ch)) {
      const quoted = readQuoted(line, i)
      if (!quoted.ok) return quoted
      tokens.push(quoted.token)
      i = quoted.end
      continue
    }
    const start = i
    while (i < line.length && !isSpace(line[i]!)) i++
    const source = line.slice(start, i)
    tokens.push({
      kind: 'word',
      value: source,
      source,
      column: start + 1,
      columns: Array.from({ length: source.length }, (_, k) => start + k + 1),
    })
  }
  return { ok: true, tokens }
}

type QuotedResult = { ok: true; token: Token; end: number } | { ok: false; column: number; message: string }

function readQuoted(line: string, start: number): QuotedResult {
  const opening = line[start]!
  const closing = opening === '"' ? '"' : CURLY_CLOSING
  let value = ''
  const columns: number[] = []
  let i = start + 1
  while (i < line.length) {
    const ch = line[i]!
    const next = line[i + 1]
    // \" and \\ escape; any other backslash is kept as written.
    if (ch === '\\' && next !== undefined && (next === '\\' || OPENING_QUOTES.includes(next))) {
      value += next
      columns.push(i + 1)
      i += 2
      continue
    }
    if (closing.includes(ch)) {
      const end = i + 1
      return {
        ok: true,
        token: { kind: 'quoted', value, source: line.slice(start, end), column: start + 1, columns },
        end,
      }
    }
    value += ch
    columns.push(i + 1)
    i++
  }
  return {
    ok: false,
    column: start + 1,
    message: `expected a closing quote for the text that starts at column ${start + 1}, found the end of the line`,
  }
}
