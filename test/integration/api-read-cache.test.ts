import { gunzipSync } from 'node:zlib'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReadCache } from '../../src/api/read-cache.ts'
import { listen } from '../../src/app/http.ts'
import { promises } from '../../src/db/schema.ts'
import { loadPromiseViews, renewPromiseView } from '../../src/api/views/promises.ts'
import { apiHarness, promiseBody, type Harness } from './api-fixtures.ts'

// The read cache of the promise list and status: what it saves, and that
// it never hides a change made through the API nor lets a caller skip
// authentication.

describe('API read cache', () => {
  let h: Harness
  let clock = 1_000_000
  const TTL = 1000

  beforeAll(async () => {
    h = await apiHarness({ readCache: createReadCache({ ttlMs: TTL, now: () => clock }) })
  })
  afterAll(() => h?.close())

  const create = async (title: string) => (await (await h.call('POST', '/api/v1/promises', { body: promiseBody({ title }) })).json()).id as string
  const titleOf = async (id: string) => (await (await h.call('GET', `/api/v1/promises/${id}`, { as: 'viewer' })).json()).title
  /** A change behind the API's back, as the recorder or another process makes one. */
  const retitle = (id: string, title: string) => h.db.update(promises).set({ title }).where(eq(promises.id, id))

  it('answers a status from memory while fresh, then the stale one while it renews it', async () => {
    const id = await create('Checkout in under a minute')
    expect(await titleOf(id)).toBe('Checkout in under a minute')
    await retitle(id, 'Checkout in 45 seconds')
    clock += TTL - 1
    expect(await titleOf(id)).toBe('Checkout in under a minute')
    clock += 2 // stale: answered at once, renewed behind
    expect(await titleOf(id)).toBe('Checkout in under a minute')
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await titleOf(id)).toBe('Checkout in 45 seconds')
    await retitle(id, 'Checkout in 30 seconds')
    clock += 2 * TTL // too old to answer: read again first
    expect(await titleOf(id)).toBe('Checkout in 30 seconds')
  })

  it('renews many stale statuses in one query, each in its place', async () => {
    const [a, b] = [await create('Order online in 3 clicks'), await create('Checkout in under a minute')]
    const missing = '00000000-0000-4000-8000-000000000000'
    expect((await loadPromiseViews(h.db, [b, missing, a])).map((view) => view?.title ?? null)).toEqual([
      'Checkout in under a minute',
      null,
      'Order online in 3 clicks',
    ])
    // Renewals asked for at once (batched by the loader) each get their own promise, or null.
    const renewed = await Promise.all([renewPromiseView(h.db, a), renewPromiseView(h.db, missing), renewPromiseView(h.db, b)])
    expect(renewed.map((view) => view?.id ?? null)).toEqual([a, null, b])
  })

  it('shows a change made through the API at once', async () => {
    const id = await create('Find a store in 2 taps')
    expect(await titleOf(id)).toBe('Find a store in 2 taps')
    const list = async () => (await (await h.call('GET', '/api/v1/promises?limit=100')).json()).items.map((p: { title: string }) => p.title)
    expect(await list()).toContain('Find a store in 2 taps')
    expect((await h.call('PATCH', `/api/v1/promises/${id}`, { body: { title: 'Find a store in 1 tap' } })).status).toBe(200)
    expect(await titleOf(id)).toBe('Find a store in 1 tap')
    expect(await list()).toContain('Find a store in 1 tap')
    // A failed change clears nothing, and changes nothing.
    expect((await h.call('PATCH', `/api/v1/promises/${id}`, { body: { title: '' } })).status).toBe(422)
    expect(await titleOf(id)).toBe('Find a store in 1 tap')
  })

  it('keys the list by its query, and still asks every caller who it is', async () => {
    const id = await create('Order online in 3 clicks')
    const first = await (await h.call('GET', '/api/v1/promises?limit=1', { as: 'viewer' })).json()
    const all = await (await h.call('GET', '/api/v1/promises?limit=100', { as: 'viewer' })).json()
    expect(first.items).toHaveLength(1)
    expect(all.items.length).toBeGreaterThan(1)
    expect((await h.call('GET', `/api/v1/promises/${id}`, { as: null })).status).toBe(401)
    expect((await h.call('GET', '/api/v1/promises?limit=100', { as: null })).status).toBe(401)
  })

  it('never keeps a 404', async () => {
    const missing = '00000000-0000-4000-8000-0000000000aa'
    expect((await h.call('GET', `/api/v1/promises/${missing}`)).status).toBe(404)
    await h.db.insert(promises).values({ id: missing, title: 'Late arrival', journey: 'go to http://127.0.0.1:4100/' })
    expect((await h.call('GET', `/api/v1/promises/${missing}`)).status).toBe(200)
  })

  it('gzips a long answer for a client that accepts gzip, and only for it', async () => {
    await create('Order online in 3 clicks')
    await create('Checkout in under a minute')
    const list = (acceptEncoding?: string) =>
      h.call('GET', '/api/v1/promises?limit=100', acceptEncoding ? { headers: { 'accept-encoding': acceptEncoding } } : {})
    const plain = await list()
    const json = await plain.text()
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect(plain.headers.get('vary')).toBe('accept-encoding')
    expect(JSON.parse(json).items.length).toBeGreaterThan(1)

    const zipped = await list('br;q=1.0, gzip;q=0.8, *;q=0.1')
    expect(zipped.headers.get('content-encoding')).toBe('gzip')
    expect(zipped.headers.get('content-type')).toBe('application/json')
    expect(zipped.headers.get('vary')).toBe('accept-encoding')
    const bytes = Buffer.from(await zipped.arrayBuffer())
    expect(gunzipSync(bytes).toString('utf8')).toBe(json)
    expect(bytes.length).toBeLessThan(json.length / 3)

    expect((await list('gzip;q=0, deflate')).headers.get('content-encoding')).toBeNull()
    expect((await list('identity')).headers.get('content-encoding')).toBeNull()

    // Both carry the API's security headers.
    for (const res of [plain, zipped]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin')
      expect(res.headers.get('cache-control')).toBe('no-store')
    }
  })

  it('sends a cached answer over Node with the headers of any other API answer', async () => {
    // Cached answers are built with their headers as a plain object (no fetch
    // Headers on the way out): the same security headers must reach the wire.
    await create('Order online in 3 clicks')
    const server = await listen(h.http, { port: 0, host: '127.0.0.1' })
    try {
      const get = (path: string, encoding: string) =>
        fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${h.tokens.viewer}`, 'accept-encoding': encoding } })
      const own = new Set(['content-type', 'content-length', 'content-encoding', 'vary', 'date', 'connection', 'keep-alive'])
      const security = (res: Response) => Object.fromEntries([...res.headers].filter(([name]) => !own.has(name)))
      const other = await get('/api/v1/channels', 'identity')
      expect(other.status).toBe(200)
      const expected = security(other)
      expect(Object.keys(expected).sort()).toEqual([
        'cache-control',
        'content-security-policy',
        'cross-origin-resource-policy',
        'strict-transport-security',
        'x-content-type-options',
        'x-frame-options',
      ])
      for (const encoding of ['identity', 'gzip']) {
        for (let i = 0; i < 2; i++) {
          const res = await get('/api/v1/promises', encoding) // the first read, then from memory
          expect(res.status).toBe(200)
          expect(security(res)).toEqual(expected)
          expect(res.headers.get('content-type')).toBe('application/json')
          expect(res.headers.get('vary')).toBe('accept-encoding')
          expect(Number(res.headers.get('content-length'))).toBeGreaterThan(0)
          expect((await res.json()).items.length).toBeGreaterThan(0)
        }
      }
    } finally {
      await server.close()
    }
  })
})
