// Secret values never leave a run: every text a run yields (results, logs,
// trace text) goes through here. Where secrets overlap or touch, the whole
// covered stretch is masked, so no piece of either shows.

export const MASK = '••••'

export function maskSecrets(text: string, secretValues: readonly string[]): string {
  const secrets = [...new Set(secretValues)].filter((value) => value !== '')
  if (secrets.length === 0 || text === '') return text

  // Longest first; then mark every character any occurrence covers.
  secrets.sort((a, b) => b.length - a.length)
  let covered: Uint8Array | null = null
  for (const secret of secrets) {
    for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + 1)) {
      covered ??= new Uint8Array(text.length)
      covered.fill(1, at, at + secret.length)
    }
  }
  if (covered === null) return text

  let masked = ''
  let i = 0
  while (i < text.length) {
    if (covered[i] === 1) {
      while (covered[i] === 1) i++
      masked += MASK
    } else {
      const start = i
      while (i < text.length && covered[i] !== 1) i++
      masked += text.slice(start, i)
    }
  }
  return masked
}

/**
 * A copy of `value` with every string inside it masked: arrays and plain
 * objects are walked, other values (numbers, dates, null) kept as they are.
 */
export function maskDeep<T>(value: T, secretValues: readonly string[]): T {
  if (!secretValues.some((secret) => secret !== '')) return value
  return walk(value, secretValues, new WeakMap()) as T
}

function walk(value: unknown, secrets: readonly string[], seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') return maskSecrets(value, secrets)
  if (typeof value !== 'object' || value === null) return value
  const done = seen.get(value)
  if (done !== undefined) return done
  if (Array.isArray(value)) {
    const copy: unknown[] = []
    seen.set(value, copy)
    for (const item of value) copy.push(walk(item, secrets, seen))
    return copy
  }
  if (!isPlainObject(value)) return value
  const copy: Record<string, unknown> = {}
  seen.set(value, copy)
  for (const [key, item] of Object.entries(value)) copy[key] = walk(item, secrets, seen)
  return copy
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
