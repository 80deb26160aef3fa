import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'

// AES-256-GCM for what Kept must store but never show: journey secrets and
// channel configs. A token is `v1.<iv>.<ciphertext+tag>` in base64url, so a
// later format can be told apart from this one.

const VERSION = 'v1'
const IV_BYTES = 12
const TAG_BYTES = 16

export interface SecretKey {
  key: Buffer
  /** env: derived from KEPT_SECRET_KEY; file: read from secret.key; created: secret.key was just written. */
  source: 'env' | 'file' | 'created'
  /** The key file, when the key lives in one. */
  file?: string
}

/**
 * The 32-byte key: derived from KEPT_SECRET_KEY when set, else read from
 * `<dataDir>/secret.key`, else a new random key written there (mode 0600).
 */
export async function loadSecretKey(env: { KEPT_SECRET_KEY?: string }, dataDir: string): Promise<Buffer> {
  return (await resolveSecretKey(env, dataDir)).key
}

/** Like loadSecretKey, and also says where the key came from (to log it once at start). */
export async function resolveSecretKey(env: { KEPT_SECRET_KEY?: string }, dataDir: string): Promise<SecretKey> {
  if (env.KEPT_SECRET_KEY) {
    const key = Buffer.from(hkdfSync('sha256', env.KEPT_SECRET_KEY, 'kept', 'kept secret key v1', 32))
    return { key, source: 'env' }
  }
  const file = path.join(dataDir, 'secret.key')
  const existing = await readKeyFile(file)
  if (existing) return { key: existing, source: 'file', file }
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const key = randomBytes(32)
  try {
    await writeFile(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' })
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    const theirs = await readKeyFile(file)
    if (theirs) return { key: theirs, source: 'file', file }
    throw error
  }
  return { key, source: 'created', file }
}

async function readKeyFile(file: string): Promise<Buffer | null> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  const key = Buffer.from(text.trim(), 'base64')
  if (key.length !== 32) {
    throw new Error(`${file}: expected 32 bytes in base64 (e.g. \`openssl rand -base64 32\`), found ${key.length} bytes`)
  }
  return key
}

export function encrypt(key: Buffer, plaintext: string): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`
}

export class DecryptError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DecryptError'
  }
}

export function decrypt(key: Buffer, token: string): string {
  const [version, ivText, bodyText, ...rest] = token.split('.')
  if (version !== VERSION || ivText === undefined || bodyText === undefined || rest.length > 0) {
    throw new DecryptError(`cannot decrypt: expected a token like ${VERSION}.<iv>.<ciphertext>`)
  }
  const iv = Buffer.from(ivText, 'base64url')
  const body = Buffer.from(bodyText, 'base64url')
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) {
    throw new DecryptError('cannot decrypt: the token is truncated or damaged')
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES))
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8')
  } catch {
    throw new DecryptError(
      'cannot decrypt: the token was altered or was encrypted with another key (did KEPT_SECRET_KEY or secret.key change?)',
    )
  }
}
