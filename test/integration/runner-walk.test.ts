import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { parseAllowedTargets } from '../../src/domain/target-policy.ts'
import { openNetworkGuard } from '../../src/runner/network-guard.ts'
import { timeLimits } from '../../src/runner/time-limits.ts'
import { Walk } from '../../src/runner/walk.ts'
import { walkingBench } from '../support/walking.ts'

// The walk's named steps, called one at a time: open, a step, a failing
// step, then judge and evidence.

describe('a walk, step by step', () => {
  const bench = walkingBench('walk')

  it('opens, times each step with its clicks, stops at the first failure, and judges', async () => {
    const guard = await openNetworkGuard(parseAllowedTargets(''))
    const context = await bench.pool.newContext({ proxy: guard.proxy })
    try {
      const spec = { promiseId: randomUUID(), title: 't', journey: null, checkFile: null, budgets: { maxClicks: 0 }, device: 'desktop' as const, secrets: {} }
      const walk = new Walk(context, guard, {
        spec,
        secrets: {},
        run: { id: 'abc', email: 'kept-abc@example.com', today: '2026-12-01' },
        forms: [],
        limits: timeLimits({ maxStepSeconds: 5 }),
        options: { runId: randomUUID(), trigger: 'manual', dataDir: bench.dataDir, workerId: 'test', decryptSecret: (v) => v },
      })
      await walk.open()
      await walk.step(1, `go to ${bench.site.url}/login`, async () => void (await walk.page!.goto(`${bench.site.url}/login`)), false)
      expect(walk.steps).toEqual([expect.objectContaining({ line: 1, outcome: 'passed', clicks: 0, error: null })])
      await walk.step(2, 'click "Sign in"', async () => walk.page!.getByRole('button', { name: 'Sign in' }).click())
      expect(walk.steps[1]).toMatchObject({ line: 2, outcome: 'passed', clicks: 1 })
      await expect(walk.step(3, 'fails', async () => Promise.reject(new Error('no such thing')))).rejects.toThrow('no such thing')
      await expect(walk.step(4, 'after the end', async () => {})).rejects.toThrow('the walk already ended')
      const verdict = walk.judge()
      // One click over a budget of none, and a failed step: the step is the failure named.
      expect(verdict.outcome).toBe('broken')
      expect(verdict.failure).toMatchObject({ kind: 'step', line: 3 })
      expect(walk.durationMs).toBeGreaterThan(0)
      const evidence = await walk.evidence(verdict.outcome)
      expect(evidence.screenshotPath).toMatch(/\.png$/)
    } finally {
      await context.close()
      await guard.close()
    }
  })
})
