import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { acceptsGzip } from '../../src/api/cached-response.ts'
import { MIN_GZIP_BYTES, createReadCache } from '../../src/api/read-cache.ts'

describe('acceptsGzip', () => {
  it('reads Accept-Encoding as RFC 9110 says', () => {
    expect(acceptsGzip(undefined)).toBe(false)
    expect(acceptsGzip('')).toBe(false)
    expect(acceptsGzip('gzip, deflate, br')).toBe(true)
    expect(acceptsGzip('GZIP')).toBe(true)
    expect(acceptsGzip('x-gzip')).toBe(true)
    expect(acceptsGzip('br;q=1.0, gzip;q=0.5')).toBe(true)
    expect(acceptsGzip('*')).toBe(true)
    expect(acceptsGzip('br, identity')).toBe(false)
    expect(acceptsGzip('gzip;q=0')).toBe(false)
    expect(acceptsGzip('gzip;q=0.000, *')).toBe(false)
    expect(acceptsGzip('*;q=0')).toBe(false)
  })
})

describe('read cache gzip', () => {
  const cache = createReadCache({ ttlMs: 1000 })

  it('gzips a long answer once and keeps it with the entry', async () => {
    const long = { items: Array.from({ length: 40 }, (_, n) => ({ title: `Order online in 3 clicks #${n}` })) }
    const cached = await cache.json('long', async () => long)
    expect(cached.body.byteLength).toBeGreaterThan(MIN_GZIP_BYTES)
    const gzipped = cached.gzipped!()
    expect(JSON.parse(gunzipSync(gzipped).toString('utf8'))).toEqual(long)
    expect(cached.gzipped!()).toBe(gzipped)
    expect((await cache.json('long', async () => long)).gzipped!()).toBe(gzipped)
  })

  it('leaves a short one as it is', async () => {
    const cached = await cache.json('short', async () => ({ id: 'a', state: 'kept' }))
    expect(cached.gzipped).toBeNull()
  })
})
