import { execFile } from 'node:child_process'
import os from 'node:os'
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Discovery } from '../../src/domain/claims/discovery.ts'
import { parseAllowedTargets } from '../../src/domain/target-policy.ts'
import { createRedisConnection } from '../../src/infra/redis.ts'
import { askForDiscovery, DiscoveryUnavailableError, type DiscoveryJob } from '../../src/queue/discovery.ts'
import { startDiscoveryWorker, type DiscoveryWorker } from '../../src/queue/discovery-worker.ts'
import { QUEUES } from '../../src/queue/jobs.ts'
import { resolveChromium } from '../../src/runner/browser-path.ts'
import { BrowserPool } from '../../src/runner/browser-pool.ts'
import { discoverClaims, type PageEvent } from '../../src/runner/discover.ts'
import { claimDiscovery } from '../../src/services/claim-discovery.ts'
import { startClaimsSite, type ClaimsSite } from '../fixtures/claims-site.ts'
import { uniquePrefix } from '../support/db.ts'
import { dropPrefix } from '../support/redis.ts'
import { until } from '../support/wait.ts'
import { apiHarness, type Harness } from './api-fixtures.ts'

// Claim discovery against real pages on 127.0.0.1 in a real Chromium: the
// crawl itself, then through the queue and a worker, then through the API
// as a marketing owner calls it. One file: Chromium is heavy on two cores.

// Roomy: the machine is shared, and a page's time includes its rendering.
const PAGE_MS = 8000

describe('claim discovery', () => {
  let site: ClaimsSite
  let pool: BrowserPool
  let redis: Redis
  let prefix: string
  let discoveries: Queue<DiscoveryJob>
  let worker: DiscoveryWorker
  let h: Harness
  const figures: string[] = []

  beforeAll(async () => {
    site = await startClaimsSite()
    pool = new BrowserPool({ executablePath: resolveChromium(process.env)?.path })
    // A browser's first page is slow to open: not a page's time to load.
    const warm = await pool.newContext()
    await (await warm.newPage()).close()
    await warm.close()
    prefix = uniquePrefix('claims')
    redis = createRedisConnection('redis://127.0.0.1:6379', { worker: true })
    discoveries = new Queue<DiscoveryJob>(QUEUES.discoveries, { connection: redis, prefix })
    worker = startDiscoveryWorker({ connection: redis, prefix, pool })
    const ask = (request: Parameters<typeof askForDiscovery>[1]) => askForDiscovery({ discoveries, redis, prefix }, request, { pageMs: PAGE_MS, totalMs: 20_000, pollMs: 50 })
    h = await apiHarness({ discoverClaims: claimDiscovery({ targetPolicy: parseAllowedTargets(''), discover: ask }) })
  })
  afterAll(async () => {
    console.log(`claim discovery: ${figures.join('; ')}`)
    await h?.close()
    await worker?.close()
    await discoveries?.close()
    await pool?.close()
    await site?.close()
    await dropPrefix(prefix)
    redis?.disconnect()
  })

  const claimsOf = (d: Discovery) => d.claims.map((c) => `${c.kind} ${c.value} ${c.pageUrl.replace(site.url, '')} ${c.text}`)

  it('reads the site in the browser: copy in the HTML and rendered by script, links followed, robots.txt obeyed, bad pages skipped with their reason', async () => {
    const events: PageEvent[] = []
    const started = performance.now()
    const d = await discoverClaims(pool, { url: `${site.url}/`, maxPages: 10 }, { pageMs: PAGE_MS, onPage: (e) => events.push(e) })
    figures.push(`${d.pages} pages, ${d.claims.length} claims, ${d.skipped.length} skipped in ${Math.round(performance.now() - started)} ms`)

    expect(claimsOf(d)).toEqual([
      'clicks 3 / Order online in 3 clicks.',
      'seconds 60 / Checkout in under a minute, guaranteed.',
      // Not in the HTML: rendered by the page's script after load.
      'clicks 2 /pricing Upgrade your plan in 2 taps.',
      'clicks 4 /signup Sign up in 4 easy steps, not in 10 minutes.',
    ])
    const footer = d.claims.find((c) => c.kind === 'seconds')!
    expect(footer.alsoOn).toEqual([`${site.url}/pricing`])
    expect(footer.suggested).toEqual({ title: 'Checkout in under a minute, guaranteed', budgets: { maxSeconds: 60 } })
    expect(d.claims[0]!.suggested).toEqual({ title: 'Order online in 3 clicks', budgets: { maxClicks: 3 } })

    const skipped = Object.fromEntries(d.skipped.map((s) => [s.pageUrl.replace(site.url, ''), s.reason]))
    expect(skipped).toEqual({
      '/private': 'robots.txt disallows it',
      '/slow': `did not load within ${(PAGE_MS / 1000).toFixed(1)} s`,
      '/missing': 'HTTP 404',
      '/moved': expect.stringMatching(/^blocked redirect from .*\/moved to http:\/\/10\.255\.255\.1\/offer: 10\.255\.255\.1 is a private address/),
    })
    // Read: home, pricing, signup, slow, missing, moved; robots.txt kept /private out unread.
    expect(d.pages).toBe(6)
    expect(site.hits['/robots.txt']).toBe(1)
    expect(site.hits['/private']).toBeUndefined()
    expect(site.hits['/brochure.pdf']).toBeUndefined()
    expect(site.otherHits).toBe(0)
    // A progress event per page, read or skipped.
    expect(events.map((e) => e.pageUrl.replace(site.url, '')).sort()).toEqual(['/', '/missing', '/moved', '/pricing', '/private', '/signup', '/slow'])
  })

  it('reads no more than maxPages pages', async () => {
    const d = await discoverClaims(pool, { url: `${site.url}/`, maxPages: 2 }, { pageMs: PAGE_MS })
    expect(d.pages).toBe(2)
    expect(claimsOf(d)).toEqual(['clicks 3 / Order online in 3 clicks.', 'seconds 60 / Checkout in under a minute, guaranteed.', 'clicks 2 /pricing Upgrade your plan in 2 taps.'])
  })

  it('stops at its total time limit, naming the pages it did not read', async () => {
    // Three pages that never answer hold every reader until the crawl's own limit, shorter than a page's.
    const started = performance.now()
    const d = await discoverClaims(pool, { url: `${site.url}/hanging`, maxPages: 10 }, { pageMs: 60_000, totalMs: 12_000 })
    figures.push(`a crawl limited to 12 s answered in ${Math.round(performance.now() - started)} ms`)
    expect(claimsOf(d)).toEqual(['clicks 1 /hanging Pay in 1 tap.'])
    const skipped = Object.fromEntries(d.skipped.map((s) => [s.pageUrl.replace(site.url, ''), s.reason]))
    expect(skipped).toEqual({
      '/hang-1': expect.stringMatching(/^did not load within [\d.]+ s, the discovery's time limit$/),
      '/hang-2': expect.stringMatching(/^did not load within [\d.]+ s, the discovery's time limit$/),
      '/hang-3': expect.stringMatching(/^did not load within [\d.]+ s, the discovery's time limit$/),
      '/after': "not read: the discovery's time limit of 12 s ran out",
    })
    expect(site.hits['/after']).toBeUndefined()
    // Nothing is left waiting on the site once the crawl is over.
    await until(() => site.hanging === 0, 'the hanging requests to be closed', 3000)
  })

  it('reads nothing of a site whose robots.txt cannot be read (RFC 9309), and nothing robots.txt forbids', async () => {
    const d = await discoverClaims(pool, { url: `${site.url}/private`, maxPages: 3 }, { pageMs: PAGE_MS })
    expect(d).toEqual({ claims: [], skipped: [{ pageUrl: `${site.url}/private`, reason: 'robots.txt disallows it' }], pages: 0 })
  })

  it('runs as a job a journey worker walks, the request waiting for its answer', async () => {
    const d = await askForDiscovery({ discoveries, redis, prefix }, { url: `${site.url}/signup`, maxPages: 1 }, { pageMs: PAGE_MS, pollMs: 50 })
    expect(claimsOf(d)).toEqual(['clicks 4 /signup Sign up in 4 easy steps, not in 10 minutes.'])
  })

  it('says when no worker answers, never hanging', async () => {
    const lonely = uniquePrefix('claims-lonely')
    const queue = new Queue<DiscoveryJob>(QUEUES.discoveries, { connection: redis, prefix: lonely })
    try {
      const asked = askForDiscovery({ discoveries: queue, redis, prefix: lonely }, { url: `${site.url}/`, maxPages: 1 }, { pickupMs: 200, totalMs: 200, pollMs: 50 })
      await expect(asked).rejects.toThrow(DiscoveryUnavailableError)
      await expect(asked).rejects.toThrow(/no journey worker answered within \d+ s: is one running/)
    } finally {
      await queue.close()
      await dropPrefix(lonely)
    }
  })

  describe('kept claims discover', () => {
    const kept = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const chromium = resolveChromium(process.env)
        execFile(
          process.execPath,
          ['--import', 'tsx', 'src/cli/kept.ts', 'claims', 'discover', ...args],
          { env: { ...process.env, KEPT_DATA_DIR: os.tmpdir(), ...(chromium ? { KEPT_CHROMIUM_PATH: chromium.path } : {}), LOG_LEVEL: 'warn' }, timeout: 60_000 },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        )
      })

    it('prints a line per page as it goes, then the claims, and exits', async () => {
      const { code, stdout } = await kept(`${site.url}/signup`, '--max-pages', '2')
      expect(code).toBe(0)
      const lines = stdout.split('\n')
      expect(lines[0]).toMatch(new RegExp(`^Reading up to 2 pages of ${site.url}/signup in `))
      expect(lines).toContain(`  ✓ ${site.url}/signup  1 claim`)
      expect(stdout).toContain('claims on 2 pages read:')
      expect(stdout).toContain('  4 clicks   "Sign up in 4 easy steps, not in 10 minutes."')
    })

    it('prints the API\'s answer with --json', async () => {
      const { code, stdout } = await kept(`${site.url}/signup`, '--max-pages', '1', '--json')
      expect(code).toBe(0)
      const answer = JSON.parse(stdout) as Discovery
      expect(answer.claims.map((c) => c.suggested)).toEqual([{ title: 'Sign up in 4 easy steps, not in 10 minutes', budgets: { maxClicks: 4 } }])
    })

    it.each([
      [['http://10.1.2.3/'], /^kept claims discover: http:\/\/10\.1\.2\.3\/: blocked: 10\.1\.2\.3 is a private address; an operator can allow it in KEPT_ALLOWED_TARGETS$/m],
      [['https://shop.example.com/', '--max-pages', '0'], /^kept claims discover: --max-pages 0: expected a whole number of pages from 1 to 50$/m],
    ])('refuses %j with exit 2, naming what is wrong', async (args, message) => {
      const { code, stderr } = await kept(...args)
      expect(code).toBe(2)
      expect(stderr).toMatch(message)
    })
  })

  describe('POST /api/v1/claims/discover', () => {
    it('answers a marketing owner with the claims, their pages, the suggested promises and the skipped pages', async () => {
      const res = await h.call('POST', '/api/v1/claims/discover', { as: 'marketing', body: { url: `${site.url}/`, maxPages: 3 } })
      expect(res.status).toBe(200)
      const body = (await res.json()) as Discovery
      expect(body.pages).toBe(3)
      expect(body.claims[0]).toEqual({
        kind: 'clicks',
        value: 3,
        text: 'Order online in 3 clicks.',
        pageUrl: `${site.url}/`,
        suggested: { title: 'Order online in 3 clicks', budgets: { maxClicks: 3 } },
        alsoOn: [],
      })
      expect(body.skipped).toEqual([])
    })

    it.each([
      ['an address that is not http(s)', { url: 'ftp://example.com/' }, 'url', /expected an http or https address, not ftp:/],
      ['no address', { url: 'shop' }, 'url', /expected the address of a web page/],
      ['a private address', { url: 'http://10.0.0.1/' }, 'url', /^blocked: 10\.0\.0\.1 is a private address; an operator can allow it in KEPT_ALLOWED_TARGETS$/],
      ['cloud metadata', { url: 'http://169.254.169.254/latest/' }, 'url', /cloud metadata address, always blocked/],
      ['a metadata host by name', { url: 'http://metadata.google.internal/' }, 'url', /cloud metadata service/],
      ['maxPages 0', { url: 'https://shop.example.com/', maxPages: 0 }, 'maxPages', /from 1 to 50/],
      ['maxPages 51', { url: 'https://shop.example.com/', maxPages: 51 }, 'maxPages', /from 1 to 50/],
      ['maxPages 2.5', { url: 'https://shop.example.com/', maxPages: 2.5 }, 'maxPages', /whole number of pages/],
      ['maxPages as text', { url: 'https://shop.example.com/', maxPages: '10' }, 'maxPages', /whole number of pages/],
    ])('refuses %s with 422 naming the field, before any crawl', async (_, body, path, message) => {
      const jobs = await discoveries.count()
      const res = await h.call('POST', '/api/v1/claims/discover', { as: 'marketing', body })
      expect(res.status).toBe(422)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      const problem = (await res.json()) as { errors: { path: string; message: string }[] }
      expect(problem.errors[0]!.path).toBe(path)
      expect(problem.errors[0]!.message).toMatch(message)
      expect(await discoveries.count()).toBe(jobs)
    })

    it('is for the roles that write promises', async () => {
      for (const role of ['viewer', 'tech'] as const) {
        const res = await h.call('POST', '/api/v1/claims/discover', { as: role, body: { url: `${site.url}/` } })
        expect(res.status, role).toBe(403)
      }
    })
  })
})
