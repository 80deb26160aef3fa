import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { decrypt, encrypt, loadSecretKey, resolveSecretKey } from '../../src/infra/crypto.ts'

const dirs: string[] = []
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kept-crypto-'))
  dirs.push(dir)
  return dir
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

describe('encrypt / decrypt', () => {
  const key = Buffer.alloc(32, 7)

  it('round-trips text, including unicode and the empty string', () => {
    for (const text of ['hunter2', '', '{"url":"https://hooks.example/x","token":"é✓"}']) {
      const token = encrypt(key, text)
      expect(token).toMatch(/^v1\.[\w-]+\.[\w-]+$/)
      expect(token).not.toContain(text || 'never')
      expect(decrypt(key, token)).toBe(text)
    }
  })

  it('uses a fresh IV each time', () => {
    expect(encrypt(key, 'same')).not.toBe(encrypt(key, 'same'))
  })

  it('rejects a tampered token', () => {
    const [version, iv, body] = encrypt(key, 'hunter2').split('.') as [string, string, string]
    const flipped = Buffer.from(body, 'base64url')
    flipped[0] = flipped[0]! ^ 1
    expect(() => decrypt(key, `${version}.${iv}.${flipped.toString('base64url')}`)).toThrow(/altered|another key/)
  })

  it('rejects a token made with another key', () => {
    const token = encrypt(key, 'hunter2')
    expect(() => decrypt(Buffer.alloc(32, 8), token)).toThrow(/another key/)
  })

  it('rejects something that is not a token', () => {
    expect(() => decrypt(key, 'hunter2')).toThrow(/expected a token like v1/)
    expect(() => decrypt(key, 'v1.AAAA.AAAA')).toThrow(/truncated/)
  })
})

describe('loadSecretKey', () => {
  it('derives a stable 32-byte key from KEPT_SECRET_KEY', async () => {
    const dataDir = await tempDir()
    const a = await resolveSecretKey({ KEPT_SECRET_KEY: 'x'.repeat(40) }, dataDir)
    const b = await loadSecretKey({ KEPT_SECRET_KEY: 'x'.repeat(40) }, dataDir)
    const c = await loadSecretKey({ KEPT_SECRET_KEY: 'y'.repeat(40) }, dataDir)
    expect(a.source).toBe('env')
    expect(a.key).toHaveLength(32)
    expect(a.key.equals(b)).toBe(true)
    expect(a.key.equals(c)).toBe(false)
  })

  it('creates secret.key once (mode 0600) and reads it back afterwards', async () => {
    const dataDir = path.join(await tempDir(), 'nested')
    const created = await resolveSecretKey({}, dataDir)
    expect(created.source).toBe('created')
    expect(created.key).toHaveLength(32)
    const file = path.join(dataDir, 'secret.key')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64').equals(created.key)).toBe(true)

    const again = await resolveSecretKey({}, dataDir)
    expect(again.source).toBe('file')
    expect(again.key.equals(created.key)).toBe(true)
    expect((await loadSecretKey({}, dataDir)).equals(created.key)).toBe(true)
  })

  it('refuses a secret.key that is not 32 bytes, naming the file', async () => {
    const dataDir = await tempDir()
    await writeFile(path.join(dataDir, 'secret.key'), 'c2hvcnQ=\n')
    await expect(loadSecretKey({}, dataDir)).rejects.toThrow(/secret\.key: expected 32 bytes/)
  })
})
