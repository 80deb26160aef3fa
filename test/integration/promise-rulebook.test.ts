import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { promises } from '../../src/db/schema.ts'
import { checkProblems } from '../../src/runner/checks.ts'
import { emptyValues, parsePromiseForm, type PromiseFormValues } from '../../src/ui/promise-input.ts'
import { apiHarness, promiseBody, type Harness } from './api-fixtures.ts'

// One rulebook, three doors: each case goes through the API, the web form
// and a check file, and gets the same verdict with the same words.

interface Case {
  name: string
  api: Record<string, unknown>
  form: Partial<PromiseFormValues>
  /** What a check file would export; absent where check files have no such field (journey, channels). */
  check?: Record<string, unknown>
  /** null: accepted by every door. `formMessage`: where the form words it its own way (journey lines without columns). */
  refused: { path: string; formField: keyof PromiseFormValues; message: string | RegExp; formMessage?: RegExp } | null
}

const ghost = randomUUID()
const longJourney = `go to http://127.0.0.1:4100/\n${'expect "Order confirmed"\n'.repeat(2200)}`

const cases: Case[] = [
  { name: 'every 10 s', api: { schedule: { everySeconds: 10 } }, form: { everySeconds: '10' }, check: { schedule: { everySeconds: 10 } }, refused: { path: 'schedule.everySeconds', formField: 'everySeconds', message: 'expected at least 30 seconds' } },
  { name: 'every 29 s', api: { schedule: { everySeconds: 29 } }, form: { everySeconds: '29' }, check: { schedule: { everySeconds: 29 } }, refused: { path: 'schedule.everySeconds', formField: 'everySeconds', message: 'expected at least 30 seconds' } },
  { name: 'every 30 s', api: { schedule: { everySeconds: 30 } }, form: { everySeconds: '30' }, check: { schedule: { everySeconds: 30 } }, refused: null },
  { name: 'every week', api: { schedule: { everySeconds: 604_800 } }, form: { everySeconds: '604800' }, check: { schedule: { everySeconds: 604_800 } }, refused: null },
  { name: 'more than a week', api: { schedule: { everySeconds: 604_801 } }, form: { everySeconds: '604801' }, check: { schedule: { everySeconds: 604_801 } }, refused: { path: 'schedule.everySeconds', formField: 'everySeconds', message: 'expected at most a week (604800 seconds)' } },
  { name: 'no clicks at all', api: { budgets: { maxClicks: 0 } }, form: { maxClicks: '0' }, check: { budgets: { maxClicks: 0 } }, refused: null },
  { name: 'zero seconds', api: { budgets: { maxSeconds: 0 } }, form: { maxSeconds: '0' }, check: { budgets: { maxSeconds: 0 } }, refused: { path: 'budgets.maxSeconds', formField: 'maxSeconds', message: 'expected a number of seconds from 1 to 3600' } },
  { name: 'negative clicks', api: { budgets: { maxClicks: -1 } }, form: { maxClicks: '-1' }, check: { budgets: { maxClicks: -1 } }, refused: { path: 'budgets.maxClicks', formField: 'maxClicks', message: 'expected a whole number of clicks from 0 to 1000' } },
  { name: 'a huge budget', api: { budgets: { maxSeconds: 1e12 } }, form: { maxSeconds: '1e12' }, check: { budgets: { maxSeconds: 1e12 } }, refused: { path: 'budgets.maxSeconds', formField: 'maxSeconds', message: 'expected a number of seconds from 1 to 3600' } },
  {
    name: 'a cron with seconds, every 10 s',
    api: { schedule: { cron: '*/10 * * * * *' } },
    form: { scheduleKind: 'cron', cron: '*/10 * * * * *', timezone: 'UTC' },
    check: { schedule: { cron: '*/10 * * * * *' } },
    refused: { path: 'schedule.cron', formField: 'cron', message: 'expected walks at least 30 seconds apart; this pattern walks 10 s apart' },
  },
  { name: 'a cron every 30 s', api: { schedule: { cron: '*/30 * * * * *' } }, form: { scheduleKind: 'cron', cron: '*/30 * * * * *', timezone: 'UTC' }, check: { schedule: { cron: '*/30 * * * * *' } }, refused: null },
  { name: 'an owner that is no email', api: { techOwner: 'tom' }, form: { techOwner: 'tom' }, check: { techOwner: 'tom' }, refused: { path: 'techOwner', formField: 'techOwner', message: "expected the tech owner's email address" } },
  { name: 'a detractor share over 100 %', api: { detractorRate: 1.4 }, form: { detractorPercent: '140' }, check: { detractorRate: 1.4 }, refused: { path: 'detractorRate', formField: 'detractorPercent', message: 'expected a share from 0 to 1 (0 % to 100 %)' } },
  { name: 'a NUL in the title', api: { title: 'Order\u0000 now' }, form: { title: 'Order\u0000 now' }, check: { title: 'Order\u0000 now' }, refused: { path: 'title', formField: 'title', message: 'expected text without NUL (\\u0000) characters' } },
  { name: 'an unknown channel', api: { channels: [ghost] }, form: { channels: [ghost] }, refused: { path: 'channels.0', formField: 'channels', message: `no channel with id ${ghost}` } },
  {
    name: 'a journey with an unknown step',
    api: { journey: 'go to http://127.0.0.1:4100/\nclik "Shop now"' },
    form: { journey: 'go to http://127.0.0.1:4100/\nclik "Shop now"' },
    refused: { path: 'journey', formField: 'journey', message: /^line 2, column 1: expected a step such as go to/, formMessage: /^line 2: expected a step such as go to/ },
  },
  { name: 'a 50k-character journey', api: { journey: longJourney }, form: { journey: longJourney }, refused: { path: 'journey', formField: 'journey', message: 'expected at most 50000 characters' } },
]

/** The form writes sentences: "Expected …." for the rule's "expected …". */
const asRule = (message: string) => message.replace(/^./, (c) => c.toLowerCase()).replace(/\.$/, '')
const matches = (message: string | undefined, expected: string | RegExp) =>
  typeof expected === 'string' ? expect(message).toBe(expected) : expect(message).toMatch(expected)

describe('one rulebook, three doors', () => {
  let h: Harness
  const verdicts: string[] = []
  beforeAll(async () => {
    h = await apiHarness()
  })
  afterAll(async () => {
    console.log(`rulebook: ${cases.length} cases x 3 doors, same verdict and words:\n  ${verdicts.join('\n  ')}`)
    await h?.close()
  })

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    // The API
    const res = await h.call('POST', '/api/v1/promises', { body: promiseBody(c.api) })
    const body = (await res.json()) as { errors?: { path: string; message: string }[] }
    // The form
    const form = parsePromiseForm({ ...emptyValues('ana@example.com'), title: 'Order online in 3 clicks', journey: 'go to http://127.0.0.1:4100/', ...c.form }, new Set())
    // A check file
    const check = c.check ? checkProblems({ title: 'Order online in 3 clicks', run: async () => {}, ...c.check }) : null

    if (!c.refused) {
      expect(res.status, JSON.stringify(body)).toBe(201)
      expect(form.ok, JSON.stringify(form)).toBe(true)
      if (check) expect(check).toEqual([])
      verdicts.push(`${c.name}: accepted by ${check ? 3 : 2} doors`)
      return
    }
    expect(res.status).toBe(422)
    expect(body.errors?.[0]?.path).toBe(c.refused.path)
    matches(body.errors?.[0]?.message, c.refused.message)
    expect(form.ok).toBe(false)
    if (!form.ok) matches(asRule(form.errors[c.refused.formField] ?? '').split('. ')[0], c.refused.formMessage ?? c.refused.message)
    if (check) {
      expect(check[0]?.path).toBe(c.refused.path)
      matches(check[0]?.message, c.refused.message)
    }
    verdicts.push(`${c.name}: refused by ${check ? 3 : 2} doors at ${c.refused.path}`)
  })

  it('stored only the accepted ones', async () => {
    const stored = await h.db.select({ title: promises.title }).from(promises)
    expect(stored).toHaveLength(cases.filter((c) => !c.refused).length)
  })
})
