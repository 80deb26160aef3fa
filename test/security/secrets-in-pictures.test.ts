import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { unzipSync } from 'fflate'
import { afterAll, describe, expect, it } from 'vitest'
import { walkingBench } from '../support/walking.ts'
import type { JourneySpec } from '../../src/queue/jobs.ts'
import { runJourney } from '../../src/runner/run-journey.ts'

// A secret must not show in any picture Kept keeps: two walks that differ
// only in a secret's value leave the same screenshot, and a trace of a
// walk with secrets holds no screencast frame (a picture no text masking
// reaches). A walk without secrets keeps its frames: the check can fail.

describe('secrets in screenshots and traces', () => {
  const bench = walkingBench('secret-pictures')
  const figures: string[] = []
  afterAll(() => console.log(`secrets in pictures: ${figures.join('; ')}`))

  const journey = (user: string) => [
    `go to ${bench.site.url}/login`,
    `fill "Email" with "${user}"`,
    'fill "Password" with "{{secrets.SHOP_PASSWORD}}"',
    'click "Sign in"',
    'expect "Welcome back"',
    // Fails on purpose, so the run keeps a screenshot and a trace.
    'click "Sign out"',
  ]

  async function walk(lines: string[], secrets: Record<string, string>) {
    const spec: JourneySpec = {
      promiseId: randomUUID(),
      title: 'Sign in with a secret',
      journey: lines.join('\n'),
      checkFile: null,
      budgets: { maxStepSeconds: 3 },
      device: 'desktop',
      secrets,
    }
    const result = await runJourney(bench.pool, spec, { runId: randomUUID(), trigger: 'test', dataDir: bench.dataDir, workerId: 'test', decryptSecret: (v) => v })
    expect(result.outcome, JSON.stringify(result.failure)).toBe('broken')
    expect(result.failure).toMatchObject({ kind: 'step', line: 6 })
    expect(result.screenshotPath).not.toBeNull()
    expect(result.tracePath).not.toBeNull()
    const screenshot = await readFile(path.join(bench.dataDir, 'evidence', result.screenshotPath!))
    const trace = unzipSync(await readFile(path.join(bench.dataDir, 'evidence', result.tracePath!)))
    const frames = Object.keys(trace).filter((name) => /\.jpe?g$/.test(name) && name.includes('page@'))
    return { screenshot, frames, logins: bench.site.logins.length }
  }

  it('leaves the same pictures when only the secret values differ', { timeout: 60_000 }, async () => {
    // The same length: a different length may move the bench.site's own layout.
    const a = await walk(journey('{{secrets.SHOP_USER}}'), { SHOP_USER: 'ana.first@example.com', SHOP_PASSWORD: 'Pa55word-AAAA' })
    const b = await walk(journey('{{secrets.SHOP_USER}}'), { SHOP_USER: 'bob.other@example.org', SHOP_PASSWORD: 'Pa55word-BBBB' })
    // Both really signed in with their own values.
    expect(bench.site.logins.slice(-2).map((login) => login.email)).toEqual(['ana.first@example.com', 'bob.other@example.org'])
    expect(Buffer.compare(a.screenshot, b.screenshot), 'the screenshots differ').toBe(0)
    expect(a.frames).toEqual([])
    expect(b.frames).toEqual([])
    figures.push(`2 walks with secrets: screenshots identical (${a.screenshot.length} bytes), 0 screencast frames`)
  })

  it('keeps the pictures of a walk without secrets as they were', { timeout: 60_000 }, async () => {
    const typed = (user: string) => journey(user).map((line) => line.replace('{{secrets.SHOP_PASSWORD}}', 'Pa55word-AAAA'))
    const plainA = await walk(typed('ana.first@example.com'), {})
    const plainB = await walk(typed('bob.other@example.org'), {})
    // No secret: the typed email shows, so the two pictures differ (what the
    // test above would see without masking), and the trace has its frames.
    expect(Buffer.compare(plainA.screenshot, plainB.screenshot)).not.toBe(0)
    expect(plainA.frames.length).toBeGreaterThan(0)
    figures.push(`walks without secrets: ${plainA.frames.length} screencast frames kept, typed text visible`)
  })
})
