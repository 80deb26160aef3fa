import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MASK, maskDeep, maskSecrets } from '../../src/domain/mask.ts'

describe('maskSecrets', () => {
  it('replaces every occurrence of every secret', () => {
    expect(maskSecrets('user ana, password hunter2, again hunter2', ['hunter2', 'ana'])).toBe(
      `user ${MASK}, password ${MASK}, again ${MASK}`,
    )
  })

  it('masks the longest secret whole when one contains another', () => {
    expect(maskSecrets('token abc123 and abc', ['abc', 'abc123'])).toBe(`token ${MASK} and ${MASK}`)
  })

  it('leaves no piece of overlapping or touching secrets', () => {
    expect(maskSecrets('xabcdefx', ['abcd', 'cdef'])).toBe(`x${MASK}x`)
    expect(maskSecrets('aaaa', ['aaa'])).toBe(MASK)
    expect(maskSecrets('ab|cd', ['ab', 'cd'])).toBe(`${MASK}|${MASK}`)
  })

  it('ignores empty secrets and leaves text without secrets unchanged', () => {
    expect(maskSecrets('nothing here', ['', 'absent'])).toBe('nothing here')
    expect(maskSecrets('nothing here', [])).toBe('nothing here')
    expect(maskSecrets('', ['x'])).toBe('')
  })

  it('treats secrets literally, not as patterns', () => {
    expect(maskSecrets('price $1.00 (a+b)*', ['$1.00', '(a+b)*'])).toBe(`price ${MASK} ${MASK}`)
    expect(maskSecrets('a.c', ['a.b'])).toBe('a.c')
  })

  it('masks secrets with non-ASCII characters', () => {
    expect(maskSecrets('mot de passe: crème brûlée 🔑', ['crème brûlée 🔑'])).toBe(`mot de passe: ${MASK}`)
  })

  it('never lets a secret through, whatever the text', () => {
    const secret = fc.string({ minLength: 1, maxLength: 8 })
    fc.assert(
      fc.property(fc.array(secret, { minLength: 1, maxLength: 3 }), fc.array(fc.string({ maxLength: 6 })), (secrets, parts) => {
        // Text built from the secrets and other text, in any order.
        const text = parts.map((part, i) => part + secrets[i % secrets.length]).join('')
        const masked = maskSecrets(text, secrets)
        for (const s of secrets) if (!MASK.includes(s)) expect(masked).not.toContain(s)
      }),
      { numRuns: 300 },
    )
  })
})

describe('maskDeep', () => {
  it('masks every string in nested objects and arrays, and copies', () => {
    const result = {
      outcome: 'broken',
      clicks: 3,
      steps: [
        { line: 2, text: 'fill "Password" with "{{secrets.PW}}"', error: 'field rejected hunter2', durationMs: 12 },
        { line: 3, text: 'click "Login"', error: null, durationMs: 5 },
      ],
      failure: { kind: 'step', message: 'saw "hunter2" on the page', line: 2 },
      tags: ['hunter2', 'ok'],
    }
    const masked = maskDeep(result, ['hunter2'])
    expect(masked).toEqual({
      outcome: 'broken',
      clicks: 3,
      steps: [
        { line: 2, text: 'fill "Password" with "{{secrets.PW}}"', error: `field rejected ${MASK}`, durationMs: 12 },
        { line: 3, text: 'click "Login"', error: null, durationMs: 5 },
      ],
      failure: { kind: 'step', message: `saw "${MASK}" on the page`, line: 2 },
      tags: [MASK, 'ok'],
    })
    // The original is untouched.
    expect(result.steps[0]!.error).toBe('field rejected hunter2')
  })

  it('masks a plain string and keeps other values as they are', () => {
    expect(maskDeep('x hunter2', ['hunter2'])).toBe(`x ${MASK}`)
    const at = new Date(0)
    expect(maskDeep({ at, n: 1, b: true, u: undefined, z: null }, ['1'])).toEqual({ at, n: 1, b: true, u: undefined, z: null })
    expect(maskDeep({ at }, ['1']).at).toBe(at)
  })

  it('returns the value itself when there is nothing to mask with', () => {
    const value = { a: 'hunter2' }
    expect(maskDeep(value, [])).toBe(value)
    expect(maskDeep(value, [''])).toBe(value)
  })

  it('survives cycles', () => {
    const value: { name: string; self?: unknown } = { name: 'hunter2' }
    value.self = value
    const masked = maskDeep(value, ['hunter2'])
    expect(masked.name).toBe(MASK)
    expect(masked.self).toBe(masked)
  })
})
