import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listen, type HttpServer } from '../../src/app/http.ts'
import { parseTrustProxy } from '../../src/config/trust-proxy.ts'
import { createUser } from '../../src/auth/users.ts'
import { loginLimiter, type LoginLimits } from '../../src/ui/login-limiter.ts'
import { loginRoutes } from '../../src/ui/login.tsx'
import { freshDatabase } from '../support/db.ts'

// The sign-in limit over real sockets, so the client address is real: an
// attacker cannot lock an account out, a success forgives, one client is
// limited across accounts, and X-Forwarded-For counts only when
// KEPT_TRUST_PROXY says whose it is.

const PASSWORD = 'the-right-password'
const LIMITS: LoginLimits = { perAccount: { failures: 5, windowSeconds: 900 }, perClient: { failures: 12, windowSeconds: 3600 } }

describe('sign-in limit', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  const servers: HttpServer[] = []
  const figures: string[] = []

  beforeAll(async () => {
    pg = await freshDatabase()
    await createUser(pg.db, { email: 'ana@shop.test', password: PASSWORD, role: 'marketing' })
    await createUser(pg.db, { email: 'bo@shop.test', password: PASSWORD, role: 'tech' })
  })
  afterAll(async () => {
    console.log(`login limit: ${figures.join('; ')}`)
    await Promise.all(servers.map((s) => s.close()))
    await pg?.drop()
  })

  /** A Kept sign-in page on a real port, as KEPT_TRUST_PROXY would set it. */
  async function site(trust: string) {
    const app = new Hono()
    app.route('/', loginRoutes({ db: pg.db, limiter: loginLimiter(LIMITS), trustProxy: parseTrustProxy(trust) }))
    const server = await listen(app, { port: 0, host: '127.0.0.1' })
    servers.push(server)
    return async (email: string, password: string, forwardedFor?: string): Promise<number> => {
      const headers: Record<string, string> = forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}
      const page = await fetch(`${server.url}/login`, { headers })
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!
      const cookie = page.headers.get('set-cookie')!.split(';')[0]!
      const res = await fetch(`${server.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, email, password }).toString(),
      })
      await res.arrayBuffer()
      return res.status
    }
  }

  it('an attacker elsewhere cannot lock an account out: the account keeps its own client’s tries', async () => {
    const signIn = await site('1') // one reverse proxy in front: X-Forwarded-For names the client
    const attacker = '203.0.113.9'
    const statuses = []
    for (let i = 0; i < 7; i++) statuses.push(await signIn('ana@shop.test', 'guess-' + i, attacker))
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429])
    // Refused even with the right password, from the attacker's client…
    expect(await signIn('ana@shop.test', PASSWORD, attacker)).toBe(429)
    // …while Ana, from hers, signs in.
    expect(await signIn('ana@shop.test', PASSWORD, '198.51.100.7')).toBe(303)
    figures.push('attacker refused after 5 failures, owner signed in from her own client')
  })

  it('a success forgives the failures before it', async () => {
    const signIn = await site('1')
    const ana = '198.51.100.8'
    for (let i = 0; i < 4; i++) expect(await signIn('ana@shop.test', 'typo', ana)).toBe(401)
    expect(await signIn('ana@shop.test', PASSWORD, ana)).toBe(303)
    for (let i = 0; i < 4; i++) expect(await signIn('ana@shop.test', 'typo', ana)).toBe(401)
    expect(await signIn('ana@shop.test', PASSWORD, ana)).toBe(303)
  })

  it('one client trying many accounts meets the slower per-client limit', async () => {
    const signIn = await site('1')
    const sprayer = '203.0.113.50'
    let refusedAt = 0
    for (let i = 1; i <= 20 && !refusedAt; i++) {
      if ((await signIn(`user${i}@shop.test`, 'password1', sprayer)) === 429) refusedAt = i
    }
    expect(refusedAt).toBe(LIMITS.perClient.failures + 1)
    expect(await signIn('bo@shop.test', PASSWORD, sprayer)).toBe(429)
    expect(await signIn('bo@shop.test', PASSWORD, '198.51.100.9')).toBe(303)
    figures.push(`sprayer refused at attempt ${refusedAt} across accounts`)
  })

  it('without KEPT_TRUST_PROXY a forged X-Forwarded-For changes nothing; with it, only the trusted hop is read', async () => {
    const direct = await site('')
    const statuses = []
    for (let i = 0; i < 6; i++) statuses.push(await direct('bo@shop.test', 'guess', `198.51.100.${100 + i}`))
    expect(statuses.at(-1)).toBe(429)

    // Behind one proxy, a client that writes its own X-Forwarded-For still
    // gets the address the proxy appended: the forged part is not read.
    const proxied = await site('1')
    const forged = []
    for (let i = 0; i < 6; i++) forged.push(await proxied('bo@shop.test', 'guess', `10.0.0.${i}, 203.0.113.77`))
    expect(forged.at(-1)).toBe(429)
    expect(await proxied('bo@shop.test', PASSWORD, '198.51.100.10')).toBe(303)
  })

  it('rejects a KEPT_TRUST_PROXY it cannot read, naming what it expects', () => {
    expect(() => parseTrustProxy('10.0.0.0/99')).toThrow(/expected a number of proxies \(like 1\) or addresses and CIDRs/)
    expect(parseTrustProxy('loopback, 10.0.0.0/8')!('10.1.2.3', 0)).toBe(true)
    expect(parseTrustProxy('2')!('anything', 1)).toBe(true)
    expect(parseTrustProxy('2')!('anything', 2)).toBe(false)
    expect(parseTrustProxy('')).toBeNull()
  })
})
