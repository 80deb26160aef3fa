import { createHmac, timingSafeEqual } from 'node:crypto'

// A user's unsubscribe link: their id signed with the secret key, so the
// link works without signing in and cannot be forged for someone else.
// The purpose string keeps these signatures apart from any other HMAC.

const PURPOSE = 'kept digest unsubscribe v1\n'

export function unsubscribeSignature(secretKey: Buffer, userId: string): string {
  return createHmac('sha256', secretKey).update(PURPOSE + userId).digest('base64url')
}

export function unsubscribeUrl(baseUrl: string, secretKey: Buffer, userId: string): string {
  const query = new URLSearchParams({ u: userId, sig: unsubscribeSignature(secretKey, userId) })
  return `${baseUrl}/digests/unsubscribe?${query}`
}

export function verifyUnsubscribe(secretKey: Buffer, userId: string, signature: string): boolean {
  const expected = Buffer.from(unsubscribeSignature(secretKey, userId))
  const given = Buffer.from(signature)
  return given.length === expected.length && timingSafeEqual(given, expected)
}
