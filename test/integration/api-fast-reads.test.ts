import { Hono } from 'hono'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiApp } from '../../src/api/app.ts'
import { createReadCache, type ReadCache } from '../../src/api/read-cache.ts'
import { createHttpApp, listen, type HttpServer } from '../../src/app/http.ts'
import { createApiToken, revokeApiToken } from '../../src/auth/tokens.ts'
import { apiHarness, promiseBody, type Harness } from './api-fixtures.ts'

// Repeated API reads answered before Hono (src/api/fast-reads.ts),
// over a real socket as production serves them: the same bytes and headers
// as the app's own answer, a log line each, and every request the fast
// path cannot vouch for goes on to the app, which decides as it always did.

describe('API fast reads', () => {
  let h: Harness
  let server: HttpServer
  let readCache: ReadCache
  let clock = 1_000_000
  const TTL = 1000
  /** Requests that reached the API app: the fast path's answers never do. */
  let reachedApp = 0
  const lines: Record<string, unknown>[] = []

  beforeAll(async () => {
    readCache = createReadCache({ ttlMs: TTL, now: () => clock })
    h = await apiHarness({ readCache })
    const api = new Hono()
    api.use(async (_c, next) => {
      reachedApp += 1
      await next()
    })
    api.route('/', createApiApp(h.deps))
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) })
    const app = createHttpApp({ logger, api, digests: new Hono(), pages: new Hono(), metrics: new Registry(), readCaches: [readCache], fastReads: { db: h.db, readCache } })
    server = await listen(app, { port: 0, host: '127.0.0.1' })
    for (const title of ['Order online in 3 clicks', 'Checkout in under a minute']) {
      expect((await h.call('POST', '/api/v1/promises', { body: promiseBody({ title }) })).status).toBe(201)
    }
  })
  afterAll(async () => {
    await server?.close()
    await h?.close()
  })

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(`${server.url}${path}`, { method, headers })
  const viewer = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${h.tokens.viewer}`, ...extra })
  /** Status, headers but the date, and body: what must be the same byte for byte. */
  const wire = async (res: Response) => ({
    status: res.status,
    headers: [...res.headers].filter(([name]) => name !== 'date'),
    body: Buffer.from(await res.arrayBuffer()).toString('base64'),
  })
  /** How many of the requests `send` makes reach the app. */
  const appRequests = async (send: () => Promise<unknown>) => {
    const before = reachedApp
    await send()
    return reachedApp - before
  }

  it('answers a repeated read with the app answer, byte for byte, plain and gzipped, and logs it', async () => {
    for (const path of ['/api/v1/promises', '/api/v1/promises?limit=1']) {
      for (const encoding of ['identity', 'gzip']) {
        readCache.clear() // the first read goes to the app
        let first: Awaited<ReturnType<typeof wire>> | undefined
        expect(await appRequests(async () => (first = await wire(await get(path, viewer({ 'accept-encoding': encoding })))))).toBe(1)
        let again: Awaited<ReturnType<typeof wire>> | undefined
        lines.length = 0
        expect(await appRequests(async () => (again = await wire(await get(path, viewer({ 'accept-encoding': encoding })))))).toBe(0)
        expect(first!.status).toBe(200)
        expect(again).toEqual(first)
        expect(lines).toHaveLength(1)
        expect(lines[0]).toMatchObject({ level: 30, method: 'GET', path: '/api/v1/promises', status: 200, msg: 'request' })
      }
    }
    const id = (await (await get('/api/v1/promises?limit=1', viewer())).json()).items[0].id
    const status = async () => wire(await get(`/api/v1/promises/${id}`, viewer()))
    const first = await status()
    expect(await appRequests(async () => expect(await status()).toEqual(first))).toBe(0)
  })

  it('leaves to the app every request it cannot vouch for', async () => {
    await get('/api/v1/promises', viewer()) // fresh in the cache
    expect(await appRequests(() => get('/api/v1/promises', viewer()))).toBe(0)

    // No token, a stranger's, another scheme: the app's 401.
    for (const authorization of [undefined, 'Bearer kept_unknown', `Basic ${h.tokens.viewer}`]) {
      let res: Response | undefined
      expect(await appRequests(async () => (res = await get('/api/v1/promises', authorization ? { authorization } : {})))).toBe(1)
      expect(res!.status).toBe(401)
      expect(res!.headers.get('content-type')).toBe('application/problem+json')
    }
    // A session: the app looks it up.
    const { cookie } = await h.session('viewer')
    expect(await appRequests(() => get('/api/v1/promises', { cookie }))).toBe(1)
    // A query answered nowhere yet, a HEAD, a change.
    expect(await appRequests(() => get('/api/v1/promises?limit=2', viewer()))).toBe(1)
    expect(await appRequests(() => get('/api/v1/promises', viewer(), 'HEAD'))).toBe(1)
    // Stale: the app answers it and renews it.
    clock += TTL
    expect(await appRequests(() => get('/api/v1/promises', viewer()))).toBe(1)
  })

  it('refuses a revoked token at once, though its last answer is fresh', async () => {
    const { id, token } = await createApiToken(h.db, { name: 'ci', role: 'viewer' })
    const list = () => get('/api/v1/promises', { authorization: `Bearer ${token}` })
    expect((await list()).status).toBe(200)
    expect(await appRequests(async () => expect((await list()).status).toBe(200))).toBe(0)
    expect(await revokeApiToken(h.db, id)).toBe(true)
    let res: Response | undefined
    expect(await appRequests(async () => (res = await list()))).toBe(1)
    expect(res!.status).toBe(401)
  })

  it('shows a change made through the API at once', async () => {
    const list = async () => (await (await get('/api/v1/promises?limit=100', viewer())).json()).items.map((p: { title: string }) => p.title)
    await list()
    expect(await appRequests(async () => expect(await list()).not.toContain('Find a store in 1 tap'))).toBe(0)
    const res = await fetch(`${server.url}/api/v1/promises`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(promiseBody({ title: 'Find a store in 1 tap' })),
    })
    expect(res.status).toBe(201)
    let titles: string[] = []
    expect(await appRequests(async () => (titles = await list()))).toBe(1)
    expect(titles).toContain('Find a store in 1 tap')
  })
})
