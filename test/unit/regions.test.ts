import { describe, expect, it } from 'vitest'
import { buildAlertMessage, type BreakFacts } from '../../src/domain/alert-message.ts'
import { journeysQueueName, namesRegions, regionState, regionSummary, worstState } from '../../src/domain/region.ts'
import { runIdForJob } from '../../src/queue/run-id.ts'
import { promiseRules } from '../../src/promises/rules.ts'

// Regions in words and names (src/domain/region.ts): what a promise's
// verdicts say, when regions are worth naming, and the queue of each.

const at = new Date('2026-05-12T14:02:00Z')

describe('regions', () => {
  it('says each verdict with its regions, worst first, and nothing on an install of one region', () => {
    const v = (region: string, state: Parameters<typeof regionSummary>[0][number]['state']) => ({ region, state, lastRunAt: null })
    expect(regionSummary([v('eu', 'broken'), v('us', 'kept')])).toBe('broken in eu, kept in us')
    expect(regionSummary([v('us', 'kept'), v('ap', 'not_walked'), v('eu', 'kept')])).toBe('not walked (no worker) in ap, kept in us and eu')
    expect(regionSummary([v('local', 'broken')])).toBe('')
    expect(regionSummary([v('eu', 'kept')])).toBe('kept in eu')
    expect(namesRegions(['local'])).toBe(false)
    expect(namesRegions(['local', 'eu'])).toBe(true)
  })

  it('takes the worst verdict of the regions walked, and never says kept where no worker runs', () => {
    expect(worstState(['kept', 'broken', 'at_risk'])).toBe('broken')
    expect(worstState(['kept', 'pending'])).toBe('kept')
    expect(worstState([])).toBe('pending')
    expect(regionState('kept', false)).toBe('not_walked')
    expect(regionState('broken', false)).toBe('broken')
    expect(regionState('kept', true)).toBe('kept')
  })

  it('keeps the region local on the queue and run ids it had before regions, and tells other regions apart', () => {
    expect(journeysQueueName('local')).toBe('journeys')
    expect(journeysQueueName('eu')).toBe('journeys-eu')
    const job = 'repeat:promise:1:1700000000000'
    expect(runIdForJob(job, 'local')).toBe(runIdForJob(job))
    expect(runIdForJob(job, 'eu')).not.toBe(runIdForJob(job, 'us'))
  })

  it('refuses region names with spaces, capitals, repeats or none, saying what is expected', () => {
    const problems = (regions: unknown) => {
      const parsed = promiseRules.regions.safeParse(regions)
      return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    }
    expect(problems(['us east'])).toEqual(['0: expected 1 to 32 lowercase letters, digits or -, like eu or us-east (got "us east")'])
    expect(problems(['EU'])).toEqual(['0: expected 1 to 32 lowercase letters, digits or -, like eu or us-east (got "EU")'])
    expect(problems(['eu', 'eu'])).toEqual([': expected each region once'])
    expect(problems([])).toEqual([': expected at least one region, like ["eu"]'])
    expect(problems(['eu', 'us-east-1'])).toEqual([])
  })

  it('says in the alert where the break is, only when regions are worth naming', () => {
    const facts = (where: BreakFacts['where']): BreakFacts => ({
      promise: { id: 'p1', title: 'Order online', techOwner: null, marketingOwner: null },
      break: { id: 'b1', openedAt: at, resolvedAt: null },
      run: null,
      lastKeptRunAt: null,
      links: { promiseUrl: 'https://kept.example.com/promises/p1' },
      where,
    })
    const clock = { now: new Date(at.getTime() + 60_000) }
    const eu = buildAlertMessage({ kind: 'open', facts: facts({ region: 'eu', verdicts: 'broken in eu, kept in us' }) }, clock)
    expect(eu.subject).toBe('Broken in eu: “Order online”')
    expect(eu.fields).toContainEqual({ label: 'Where', value: 'broken in eu, kept in us' })
    expect(buildAlertMessage({ kind: 'resolve', facts: facts({ region: 'eu', verdicts: 'kept in eu and us' }) }, clock).subject).toMatch(/^Kept again in eu: /)
    const one = buildAlertMessage({ kind: 'open', facts: facts(null) }, clock)
    expect(one.subject).toBe('Broken: “Order online”')
    expect(one.fields.map((f) => f.label)).not.toContain('Where')
  })
})
