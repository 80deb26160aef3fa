import { hash, randomBytes, timingSafeEqual } from 'node:crypto'

/** A random secret for a cookie, token or CSRF value: `bytes` random bytes in base64url. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** How a bearer secret is stored: only its sha256, so a database leak yields no usable token. */
export function sha256(value: string): string {
  return hash('sha256', value, 'hex')
}

/** Equality of two strings in time independent of where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(sha256(a), 'hex')
  const right = Buffer.from(sha256(b), 'hex')
  return timingSafeEqual(left, right) && a.length === b.length
}
