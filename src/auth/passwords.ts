import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

// Passwords hashed with scrypt from node:crypto. The hash string carries its
// own parameters, so they can be raised later without breaking old hashes:
// `scrypt$<N>$<r>$<p>$<salt>$<hash>` (salt and hash in base64url).

const N = 2 ** 15
const R = 8
const P = 1
const KEY_BYTES = 32
const SALT_BYTES = 16

function derive(password: string, salt: Buffer, options: { N: number; r: number; p: number }): Promise<Buffer> {
  // scrypt needs 128 × N × r bytes; the default maxmem (32 MiB) is just too small for N = 2^15.
  const params: ScryptOptions = { ...options, maxmem: 256 * options.N * options.r }
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, params, (error, key) => (error ? reject(error) : resolve(key)))
  })
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const key = await derive(password, salt, { N, r: R, p: P })
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$')
}

/** false for a wrong password and for a hash this code cannot read. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const [scheme, n, r, p, saltText, keyText, ...rest] = hash.split('$')
  if (scheme !== 'scrypt' || !saltText || !keyText || rest.length > 0) return false
  const options = { N: Number(n), r: Number(r), p: Number(p) }
  if (![options.N, options.r, options.p].every((v) => Number.isSafeInteger(v) && v > 0)) return false
  const expected = Buffer.from(keyText, 'base64url')
  if (expected.length === 0) return false
  const key = await derive(password, Buffer.from(saltText, 'base64url'), options).catch(() => null)
  return key !== null && key.length === expected.length && timingSafeEqual(key, expected)
}
