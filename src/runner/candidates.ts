import { distance } from 'fastest-levenshtein'

// When a step's target is not on the page, the message says what is
// there instead: the names closest to the one the journey asked for,
// ranked by shared words and by edit distance.

const normalize = (name: string) => name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()
const words = (name: string) => new Set(normalize(name).split(' ').filter(Boolean))

/** 0..1: how alike two names look to a person. */
export function similarity(wanted: string, name: string): number {
  const a = normalize(wanted)
  const b = normalize(name)
  if (!a || !b) return 0
  if (a === b) return 1
  const wa = words(a)
  const wb = words(b)
  const shared = [...wa].filter((w) => wb.has(w)).length
  const overlap = shared / new Set([...wa, ...wb]).size
  const edits = 1 - distance(a, b) / Math.max(a.length, b.length)
  const contains = a.includes(b) || b.includes(a) ? 0.75 : 0
  return Math.max(overlap, edits, contains)
}

/** Up to `limit` distinct names most like `wanted`, best first; unlike ones are left out. */
export function closestNames(wanted: string, names: readonly string[], limit = 3, threshold = 0.4): string[] {
  const unique = [...new Set(names.map((n) => n.trim()).filter(Boolean))]
  return unique
    .map((name, index) => ({ name, index, score: similarity(wanted, name) }))
    .filter((c) => c.score >= threshold)
    .sort((x, y) => y.score - x.score || x.index - y.index)
    .slice(0, limit)
    .map((c) => c.name)
}

/** Role/name pairs from a Playwright ARIA snapshot (`- button "Place order"`). */
export function namesFromAriaSnapshot(snapshot: string, roles: readonly string[]): { role: string; name: string }[] {
  const found: { role: string; name: string }[] = []
  const pattern = /^\s*- (\w+) "((?:[^"\\]|\\.)*)"/gm
  for (const match of snapshot.matchAll(pattern)) {
    if (roles.includes(match[1]!)) found.push({ role: match[1]!, name: match[2]!.replace(/\\(.)/g, '$1') })
  }
  return found
}
