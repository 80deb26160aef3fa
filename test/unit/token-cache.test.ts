import { describe, expect, it } from 'vitest'
import { TOKEN_CACHE_TTL_MS, cachedToken, forgetTokens, freshToken } from '../../src/auth/token-cache.ts'
import type { Db } from '../../src/db/client.ts'
import type { Principal } from '../../src/auth/permissions.ts'

const principal: Principal = { kind: 'token', userId: null, name: 'ci', role: 'viewer' }

function counting(answer: Principal | null) {
  const lookup = async () => {
    lookup.calls += 1
    return answer
  }
  lookup.calls = 0
  return lookup
}

describe('the API token cache', () => {
  it('answers from memory while fresh, then looks up again', async () => {
    const db = {} as Db
    const lookup = counting(principal)
    const t0 = 1_000_000
    expect(await cachedToken(db, 'kept_a', lookup, t0)).toEqual(principal)
    expect(await cachedToken(db, 'kept_a', lookup, t0 + TOKEN_CACHE_TTL_MS - 1)).toEqual(principal)
    expect(lookup.calls).toBe(1)
    await cachedToken(db, 'kept_a', lookup, t0 + TOKEN_CACHE_TTL_MS)
    expect(lookup.calls).toBe(2)
  })

  it('forgets a database at once, and only that one', async () => {
    const [one, other] = [{} as Db, {} as Db]
    const lookup = counting(principal)
    await cachedToken(one, 'kept_b', lookup, 0)
    await cachedToken(other, 'kept_b', lookup, 0)
    forgetTokens(one)
    await cachedToken(one, 'kept_b', lookup, 1)
    await cachedToken(other, 'kept_b', lookup, 1)
    expect(lookup.calls).toBe(3)
  })

  it('remembers unknown tokens too, so a flood of bad ones costs few queries', async () => {
    const db = {} as Db
    const lookup = counting(null)
    expect(await cachedToken(db, 'kept_nope', lookup, 0)).toBeNull()
    expect(await cachedToken(db, 'kept_nope', lookup, 1)).toBeNull()
    expect(lookup.calls).toBe(1)
  })

  it('tells without a look-up only what it holds fresh (fast-reads.ts): undefined otherwise', async () => {
    const db = {} as Db
    expect(freshToken(db, 'kept_c', 0)).toBeUndefined()
    await cachedToken(db, 'kept_c', counting(principal), 0)
    await cachedToken(db, 'kept_bad', counting(null), 0)
    expect(freshToken(db, 'kept_c', TOKEN_CACHE_TTL_MS - 1)).toEqual(principal)
    expect(freshToken(db, 'kept_bad', 1)).toBeNull()
    expect(freshToken(db, 'kept_c', TOKEN_CACHE_TTL_MS)).toBeUndefined()
    forgetTokens(db)
    expect(freshToken(db, 'kept_c', 1)).toBeUndefined()
  })
})
