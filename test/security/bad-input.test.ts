import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { promises } from '../../src/db/schema.ts'
import { emptyValues, parsePromiseForm, type PromiseFormValues } from '../../src/ui/promise-input.ts'
import { apiHarness, promiseBody, type Harness } from '../integration/api-fixtures.ts'

// Bad input on the promise's doors: a clear 4xx naming the field, nothing
// stored, never a 500. The API and the form refuse the same values.

const cases: { name: string; body: Record<string, unknown>; form: Partial<PromiseFormValues>; path: string; message: RegExp }[] = [
  { name: 'a NUL in the title', body: { title: 'Order\u0000 now' }, form: { title: 'Order\u0000 now' }, path: 'title', message: /NUL/ },
  { name: 'a lone surrogate in the title', body: { title: 'Order \uD83D now' }, form: { title: 'Order \uD83D now' }, path: 'title', message: /lone surrogate/i },
  { name: 'a NUL in the journey', body: { journey: 'go to http://127.0.0.1:4100/\u0000' }, form: { journey: 'go to http://127.0.0.1:4100/\u0000' }, path: 'journey', message: /NUL/ },
  { name: 'maxSeconds 1e12', body: { budgets: { maxSeconds: 1e12 } }, form: { maxSeconds: '1e12' }, path: 'budgets.maxSeconds', message: /from 1 to 3600/ },
  { name: 'maxClicks -1', body: { budgets: { maxClicks: -1 } }, form: { maxClicks: '-1' }, path: 'budgets.maxClicks', message: /from 0 to 1000/ },
  { name: 'maxStepSeconds 0', body: { budgets: { maxStepSeconds: 0 } }, form: { maxStepSeconds: '0' }, path: 'budgets.maxStepSeconds', message: /from 1 to 600/ },
  {
    name: 'a cron of every second',
    body: { schedule: { cron: '* * * * * *' } },
    form: { scheduleKind: 'cron', cron: '* * * * * *', timezone: 'UTC' },
    path: 'schedule.cron',
    message: /at least 30 seconds apart/,
  },
  {
    name: 'a cron every 10 s',
    body: { schedule: { cron: '*/10 * * * * *' } },
    form: { scheduleKind: 'cron', cron: '*/10 * * * * *', timezone: 'UTC' },
    path: 'schedule.cron',
    message: /10 s apart/,
  },
  { name: 'every 29 s', body: { schedule: { everySeconds: 29 } }, form: { everySeconds: '29' }, path: 'schedule.everySeconds', message: /\b30\b/ },
]

const formKey = (path: string) => (path.startsWith('budgets.') ? path.slice(8) : path.startsWith('schedule.') ? path.slice(9) : path)

describe('bad input on the promise doors', () => {
  let h: Harness
  const figures = { api: 0, form: 0 }
  beforeAll(async () => {
    h = await apiHarness()
  })
  afterAll(async () => {
    await h?.close()
    console.log(`bad input: ${cases.length} cases, API refused ${figures.api} with 422 naming the field, form refused ${figures.form}`)
  })

  it.each(cases)('refuses $name through the API, naming $path, storing nothing', async ({ body, path, message }) => {
    const before = (await h.db.select({ id: promises.id }).from(promises)).length
    const res = await h.call('POST', '/api/v1/promises', { body: promiseBody(body) })
    expect(res.status).toBe(422)
    const problem = (await res.json()) as { errors: { path: string; message: string }[] }
    expect(problem.errors[0]!.path).toBe(path)
    expect(problem.errors[0]!.message).toMatch(message)
    expect((await h.db.select({ id: promises.id }).from(promises)).length).toBe(before)
    figures.api += 1
  })

  it.each(cases)('refuses $name through the form, naming the field', ({ form, path, message }) => {
    const values = {
      ...emptyValues('ana@example.com'),
      title: 'Order online in 3 clicks',
      journey: 'go to http://127.0.0.1:4100/\nclick "Shop now"',
      ...form,
    }
    const parsed = parsePromiseForm(values, new Set())
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    const key = formKey(path) as keyof typeof parsed.errors
    expect(parsed.errors[key], JSON.stringify(parsed.errors)).toMatch(message)
    figures.form += 1
  })

  it('refuses a NUL in a PATCH and keeps the promise as it was', async () => {
    const created = (await (await h.call('POST', '/api/v1/promises', { body: promiseBody() })).json()) as { id: string; title: string }
    const res = await h.call('PATCH', `/api/v1/promises/${created.id}`, { body: { title: 'Broken\u0000' } })
    expect(res.status).toBe(422)
    const after = (await (await h.call('GET', `/api/v1/promises/${created.id}`)).json()) as { title: string }
    expect(after.title).toBe(created.title)
  })

  it('accepts a 6-field cron 30 s apart and the largest budgets', async () => {
    const res = await h.call('POST', '/api/v1/promises', {
      body: promiseBody({ schedule: { cron: '*/30 * * * * *' }, budgets: { maxSeconds: 3600, maxClicks: 1000, maxStepSeconds: 600 } }),
    })
    expect(res.status).toBe(201)
  })

  it('asks a stranger to sign in before judging the body', async () => {
    const res = await h.call('POST', '/api/v1/promises', { as: null, body: promiseBody({ title: 'x\u0000' }) })
    expect(res.status).toBe(401)
  })
})

describe('bad input on every write route of the OpenAPI document', () => {
  let h: Harness
  let promiseId: string
  const table: string[] = []
  beforeAll(async () => {
    h = await apiHarness()
    const created = await h.call('POST', '/api/v1/promises', { body: promiseBody() })
    promiseId = ((await created.json()) as { id: string }).id
  })
  afterAll(async () => {
    console.log(`bad input, every write route:\n  ${table.join('\n  ')}`)
    await h?.close()
  })

  it('refuses a body that is not JSON (400), a NUL in any string naming its field (422), a wrong type (415): never a 500, nothing stored', async () => {
    const doc = (await (await h.http.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>> }
    const writes = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.entries(ops)
        .filter(([method, op]) => ['post', 'put', 'patch'].includes(method) && op.requestBody?.content?.['application/json'])
        .map(([method]) => ({ method: method.toUpperCase(), path: p })),
    )
    expect(writes.length).toBeGreaterThan(10)
    const before = await h.db.select().from(promises)
    for (const route of writes) {
      const url = `/api${route.path.replace('{name}', 'SHOP_PASSWORD').replace(/\{[^}]+\}/g, promiseId)}`
      const notJson = await h.call(route.method, url, { body: '{"title": ' })
      const nul = await h.call(route.method, url, { body: { title: 'a\u0000b', note: { text: 'x\u0000' } } })
      const wrongType = await h.call(route.method, url, { body: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      const nulDetail = ((await nul.json()) as { errors?: { path: string }[] }).errors?.[0]?.path
      table.push(`${route.method} ${route.path}: not JSON ${notJson.status}, NUL ${nul.status} (${nulDetail}), form body ${wrongType.status}`)
      expect(notJson.status, `${route.method} ${route.path} not JSON`).toBe(400)
      expect(nul.status, `${route.method} ${route.path} NUL`).toBe(422)
      expect(nulDetail, `${route.method} ${route.path} NUL names the field`).toBe('title')
      expect(wrongType.status, `${route.method} ${route.path} form body`).toBe(415)
    }
    expect(await h.db.select().from(promises)).toEqual(before)
  })
})
