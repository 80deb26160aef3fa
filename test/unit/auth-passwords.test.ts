import { describe, expect, it } from 'vitest'
import { safeEqual, sha256 } from '../../src/auth/hash.ts'
import { hashPassword, verifyPassword } from '../../src/auth/passwords.ts'
import { can, ROLES } from '../../src/auth/permissions.ts'

describe('passwords', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery')
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/)
    expect(await verifyPassword('correct horse battery', hash)).toBe(true)
    expect(await verifyPassword('correct horse batterz', hash)).toBe(false)
    expect(await verifyPassword('', hash)).toBe(false)
  })

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')])
    expect(a).not.toBe(b)
  })

  it('reads the parameters from the hash string', async () => {
    const hash = await hashPassword('pw with params')
    const [, , r, p, salt, key] = hash.split('$')
    // A hash made with other parameters is not the same key.
    expect(await verifyPassword('pw with params', ['scrypt', 16384, r, p, salt, key].join('$'))).toBe(false)
  })

  it('refuses hashes it cannot read', async () => {
    for (const bad of ['', 'plain', 'bcrypt$1$2$3$4$5', 'scrypt$x$8$1$abc$def', 'scrypt$16384$8$1$abc$', 'scrypt$1$1$1$a$b$c']) {
      expect(await verifyPassword('x', bad)).toBe(false)
    }
  })
})

describe('hash helpers', () => {
  it('compares strings exactly', () => {
    expect(safeEqual('abc', 'abc')).toBe(true)
    expect(safeEqual('abc', 'abd')).toBe(false)
    expect(safeEqual('abc', 'abcd')).toBe(false)
    expect(sha256('x')).toHaveLength(64)
  })
})

describe('permissions', () => {
  it('gives admin everything and viewer only read', () => {
    expect(ROLES.every((role) => can(role, 'read'))).toBe(true)
    expect(can('viewer', 'promise.write')).toBe(false)
    expect(can('marketing', 'channel.write')).toBe(false)
    expect(can('tech', 'promise.write')).toBe(false)
    expect(can('admin', 'user.admin')).toBe(true)
  })
})
