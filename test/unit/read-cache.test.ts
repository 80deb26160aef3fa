import { describe, expect, it } from 'vitest'
import { createReadCache } from '../../src/api/read-cache.ts'

// ready(): what the read cache would answer a request target now without
// starting a read, for the fast path (src/api/fast-reads.ts).

describe('the read cache, ready()', () => {
  it('answers a target json() was told, while fresh or while a renewal of it is under way, and nothing else', async () => {
    let clock = 0
    const cache = createReadCache({ ttlMs: 1000, now: () => clock })
    const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined)
    expect(cache.ready('/api/v1/promises')).toBeUndefined()
    await cache.json('promises?[50]', async () => ({ n: 1 }), '/api/v1/promises')
    expect(text(cache.ready('/api/v1/promises')?.body)).toBe('{"n":1}')
    expect(cache.ready('/api/v1/promises?limit=50')).toBeUndefined() // the same key, but never told for this target

    clock = 1000 // stale, and no renewal yet: only json() starts one
    expect(cache.ready('/api/v1/promises')).toBeUndefined()
    let finish!: () => void
    const renewal = new Promise<void>((resolve) => (finish = resolve))
    const stale = await cache.json('promises?[50]', async () => (await renewal, { n: 2 }), '/api/v1/promises')
    expect(text(stale.body)).toBe('{"n":1}')
    expect(text(cache.ready('/api/v1/promises')?.body)).toBe('{"n":1}') // renewing: what json() answers meanwhile
    finish()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(text(cache.ready('/api/v1/promises')?.body)).toBe('{"n":2}')

    clock = 5000 // too old even to answer while renewing
    expect(cache.ready('/api/v1/promises')).toBeUndefined()
    await cache.json('promises?[50]', async () => ({ n: 3 }), '/api/v1/promises')
    cache.clear()
    expect(cache.ready('/api/v1/promises')).toBeUndefined()
  })

  it('answers nothing when caching is off', async () => {
    const cache = createReadCache({ ttlMs: 0 })
    await cache.json('k', async () => ({}), '/t')
    expect(cache.ready('/t')).toBeUndefined()
  })
})
