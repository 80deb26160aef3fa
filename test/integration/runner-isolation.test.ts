import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JourneySpec } from '../../src/queue/jobs.ts'
import { resolveChromium } from '../../src/runner/browser-path.ts'
import { BrowserPool } from '../../src/runner/browser-pool.ts'
import { runJourney } from '../../src/runner/run-journey.ts'

// Walks share a browser, and a worker prepares the next walk's context
// while one runs; nothing a site leaves in one walk may reach the next:
// not its cookies, its storage, nor its HTTP cache. A site that remembers
// its visitors: /set leaves a cookie and a localStorage entry; /check says
// whether it sees either; both load /cached.js, cacheable for an hour.

describe('walks in a row on one browser', () => {
  let server: http.Server
  let url: string
  let pool: BrowserPool
  let dataDir: string
  let scriptLoads = 0

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const returning = /(^|;\s*)visitor=1/.test(req.headers.cookie ?? '')
      if (req.url === '/cached.js') {
        scriptLoads += 1
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'public, max-age=3600' })
        return void res.end('window.cachedScript = true')
      }
      const page = (head: Record<string, string>, body: string) => {
        res.writeHead(200, { 'content-type': 'text/html', ...head })
        res.end(`<!doctype html><html lang="en"><title>t</title><body>${body}<script src="/cached.js"></script></body></html>`)
      }
      if (req.url === '/set') {
        return page(
          { 'set-cookie': 'visitor=1; Path=/; Max-Age=3600' },
          `<p id="s"></p><script>localStorage.setItem('visitor', '1'); document.getElementById('s').textContent = 'remembered'</script>`,
        )
      }
      if (req.url === '/check') {
        return page(
          {},
          `<p>cookie ${returning ? 'returning' : 'new'}</p><p id="s"></p>` +
            `<script>document.getElementById('s').textContent = 'storage ' + (localStorage.getItem('visitor') ? 'returning' : 'new')</script>`,
        )
      }
      res.writeHead(404).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    // As a journey worker builds it: the next context is made while a walk runs.
    pool = new BrowserPool({ executablePath: resolveChromium(process.env)?.path, prepareAhead: 1 })
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-isolation-'))
  })
  afterAll(async () => {
    await pool?.close()
    await new Promise((resolve) => server?.close(resolve))
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  const walk = (lines: string[]) => {
    const spec: JourneySpec = { promiseId: randomUUID(), title: 't', journey: lines.join('\n'), checkFile: null, budgets: {}, device: 'desktop', secrets: {} }
    return runJourney(pool, spec, { runId: randomUUID(), trigger: 'schedule', dataDir, workerId: 'test', decryptSecret: (v) => v })
  }

  it('within one walk the site remembers its visitor (the checks below can fail)', async () => {
    const result = await walk([`go to ${url}/set`, 'expect "remembered"', `go to ${url}/check`, 'expect "cookie returning"', 'expect "storage returning"'])
    expect(result.failure).toBeNull()
    expect(result.outcome).toBe('kept')
    // The second page took the script from the context's cache.
    expect(scriptLoads).toBe(1)
  })

  it('the next walk, in a context prepared while the one before ran, sees no cookie, no storage and no cache of it', async () => {
    const first = await walk([`go to ${url}/set`, 'expect "remembered"'])
    expect(first.outcome).toBe('kept')
    expect(scriptLoads).toBe(2)
    const second = await walk([`go to ${url}/check`, 'expect "cookie new"', 'expect "storage new"'])
    expect(second.failure).toBeNull()
    expect(second.outcome).toBe('kept')
    expect(scriptLoads).toBe(3)
    // The context made ahead for a next walk is not one in use; none is left open by a walk.
    expect(await pool.openContexts()).toBe(0)
  })
})
