import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { walkingBench } from '../support/walking.ts'
import type { Budgets } from '../../src/domain/budget.ts'
import type { JourneySpec } from '../../src/queue/jobs.ts'
import { parseAllowedTargets } from '../../src/domain/target-policy.ts'
import { runJourney, type RunJourneyOptions } from '../../src/runner/run-journey.ts'
import { startFixtureSite } from '../fixtures/site.tsx'

// What the runner must never do: reach metadata or private addresses it
// was not allowed to, or let a secret value out in a result or a trace.

describe('runJourney safety', () => {
  const bench = walkingBench('runner-safety')

  const spec = (journey: string[], extra: Partial<JourneySpec> = {}, budgets: Budgets = {}): JourneySpec => ({
    promiseId: randomUUID(),
    title: 'a test journey',
    journey: journey.join('\n'),
    checkFile: null,
    budgets,
    device: 'desktop',
    secrets: {},
    ...extra,
  })
  const walk = (s: JourneySpec, extra: Partial<RunJourneyOptions> = {}) =>
    runJourney(bench.pool, s, { runId: randomUUID(), trigger: 'test', dataDir: bench.dataDir, workerId: 'test', decryptSecret: (v) => v, ...extra })

  it('blocks cloud metadata, always, naming the host and the rule', async () => {
    const result = await walk(spec(['go to http://169.254.169.254/latest/meta-data/', 'expect "ami-id"']), {
      targetPolicy: parseAllowedTargets('169.254.0.0/16'),
    })
    // Kept's policy stopped it: an error of ours, never a broken promise.
    expect(result.outcome).toBe('error')
    expect(result.failure).toMatchObject({ kind: 'error' })
    expect(result.steps[0]).toMatchObject({ line: 1, outcome: 'failed' })
    expect(result.failure!.message).toContain('blocked navigation to http://169.254.169.254/latest/meta-data/')
    expect(result.failure!.message).toContain('cloud metadata address, always blocked')
  })

  it('blocks a redirect to a private address unless KEPT_ALLOWED_TARGETS allows it', { timeout: 60_000 }, async () => {
    const blocked = await walk(spec([`go to ${bench.site.url}/to-private`]))
    expect(blocked.outcome).toBe('error')
    expect(blocked.failure!.message).toContain(`blocked redirect from ${bench.site.url}/to-private to http://10.255.255.1/admin`)
    expect(blocked.failure!.message).toContain('KEPT_ALLOWED_TARGETS')

    const tls = await walk(spec([`go to ${bench.site.url}/to-private-tls`]))
    expect(tls.outcome).toBe('error')
    expect(tls.failure!.message).toContain('blocked redirect')
    expect(tls.failure!.message).toContain('https://172.16.0.1/')
    // Allowed ranges are judged in test/unit/runner-target-policy.test.ts: a walk here
    // must not send a packet to a private address (only loopback is ours to reach).
  })

  it("blocks Kept's own services on loopback by port, by any name, unless named with the port", async () => {
    const port = Number(new URL(bench.site.url).port)
    const own = [{ label: "Kept's Redis", host: '127.0.0.1', port, addresses: ['127.0.0.1'] }]
    for (const url of [`${bench.site.url}/`, `http://localhost:${port}/`, `http://127.0.0.2:${port}/`]) {
      const blocked = await walk(spec([`go to ${url}`]), { targetPolicy: parseAllowedTargets('', own) })
      expect(blocked.outcome, url).toBe('error')
      expect(blocked.failure!.message, url).toContain(`is Kept's Redis, Kept's own service`)
    }
    // Loopback on another port stays usable (a local shop).
    const other = await walk(spec([`go to ${bench.site.url}/login`]), { targetPolicy: parseAllowedTargets('', [{ ...own[0]!, port: port + 1 }]) })
    expect(other.steps[0], JSON.stringify(other.failure)).toMatchObject({ outcome: 'passed' })
    const allowed = await walk(spec([`go to ${bench.site.url}/login`]), { targetPolicy: parseAllowedTargets(`127.0.0.1:${port}`, own) })
    expect(allowed.failure?.message ?? '').not.toContain('blocked')
    expect(allowed.steps[0]).toMatchObject({ outcome: 'passed' })
  })

  it('blocks a sub-request to a private address and fails the step that made it', async () => {
    const result = await walk(spec([`go to ${bench.site.url}/private-image`, 'expect "With a pixel"']))
    expect(result.outcome).toBe('error')
    expect(result.steps[0]).toMatchObject({ line: 1, outcome: 'failed' })
    expect(result.failure!.message).toContain('blocked request to http://192.168.255.254/pixel.png')
  })

  // An address of this machine's own network card is private: it goes
  // through the guard's proxy as every real bench.site does.
  const cardAddresses = Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && !a.address.startsWith('fe80'))
    .map((a) => a!.address)
  it.skipIf(cardAddresses.length === 0)('walks a bench.site through the proxy: forms post, private ones only when allowed', async () => {
    for (const address of cardAddresses) {
      const remote = await startFixtureSite({ host: address })
      try {
        const journey = [`go to ${remote.url}/login`, 'fill "Email" with "ana@example.com"', 'click "Sign in"', 'expect "Welcome back"']
        const allowed = await walk(spec(journey), { targetPolicy: parseAllowedTargets(address.includes(':') ? `${address}/128` : `${address}/32`) })
        expect(allowed.failure, address).toBeNull()
        expect(remote.logins).toEqual([{ email: 'ana@example.com', password: '' }])
        const ipv4Public = !address.includes(':') && !/^(10|192\.168|172\.(1[6-9]|2\d|3[01]))\./.test(address)
        if (!ipv4Public) {
          const blocked = await walk(spec(journey))
          expect(blocked.failure!.message).toContain(`blocked navigation to ${remote.url}/login`)
        }
      } finally {
        await remote.close()
      }
    }
  })

  it('fills secrets but never lets their values out: results, errors and the trace are masked', async () => {
    const email = 'ana.secret-user@example.com'
    const password = 'Pa55&wörd "quoted"'
    const journey = [
      `go to ${bench.site.url}/login`,
      'fill "Email" with "{{secrets.SHOP_USER}}"',
      'fill "Password" with "{{secrets.SHOP_PASSWORD}}"',
      'click "Sign in"',
      'expect "Signed in as {{secrets.SHOP_USER}}"',
      // Fails on purpose, quoting the secret in its message: a broken run keeps a trace.
      'click "Sign out {{secrets.SHOP_PASSWORD}}"',
    ]
    // 3 s a step (4.5 s before a step gives up): room for a loaded CI
    // machine, short enough for the failing click at the end.
    const result = await walk(
      spec(journey, { secrets: { SHOP_USER: `enc:${email}`, SHOP_PASSWORD: `enc:${password}` } }, { maxStepSeconds: 3 }),
      { decryptSecret: (value) => value.replace(/^enc:/, '') },
    )
    const steps = JSON.stringify({ steps: result.steps.map((s) => [s.line, s.outcome, s.durationMs]), failure: result.failure })
    expect(result.steps.slice(0, 5).every((s) => s.outcome === 'passed'), steps).toBe(true)
    // The bench.site received the real values.
    expect(bench.site.logins.at(-1)).toEqual({ email, password })
    expect(result.outcome).toBe('broken')
    expect(result.tracePath).not.toBeNull()

    const text = JSON.stringify(result)
    expect(text).toContain('{{secrets.SHOP_USER}}')
    for (const value of [email, password, encodeURIComponent(email), encodeURIComponent(password)]) {
      expect(text).not.toContain(value)
    }

    const zip = path.join(bench.dataDir, 'evidence', result.tracePath!)
    const listing = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).split('\n').filter(Boolean)
    expect(listing).toEqual(expect.arrayContaining(['trace.trace', 'trace.network']))
    const contents = execFileSync('unzip', ['-p', zip], { maxBuffer: 64 * 1024 * 1024 }).toString('latin1')
    const forms = [email, password, encodeURIComponent(email), new URLSearchParams({ p: password }).toString().slice(2)]
    for (const form of forms) expect(contents).not.toContain(Buffer.from(form).toString('latin1'))
    // The trace still holds the walk itself.
    expect(contents).toContain('/login')
  })

  it('a browser that dies mid-run makes an error run, never a broken one', async () => {
    const running = walk(spec([`go to ${bench.site.url}/slow?ms=3000`, 'expect "Finally here"']))
    await new Promise((resolve) => setTimeout(resolve, 800))
    await (await bench.pool.acquire()).close()
    const result = await running
    expect(result.outcome, result.failure?.message).toBe('error')
    // Kept says the browser went away: the walk is ours to redo, not the bench.site's failure.
    expect(result.failure!.message).toMatch(/browser|closed|crash/i)
    expect(result.failure).toMatchObject({ kind: 'error' })
    expect(await bench.pool.openContexts()).toBe(0)
  })
})
