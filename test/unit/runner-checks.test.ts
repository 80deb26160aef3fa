import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkBaseUrl, checkPath, listCheckFiles, loadCheck } from '../../src/runner/checks.ts'

const fixtures = path.resolve('test/fixtures/checks')

describe('code checks', () => {
  it('lists the *.check.ts files of a folder, and none of a missing one', async () => {
    expect(await listCheckFiles(path.resolve('checks'))).toEqual([
      path.resolve('checks/order.check.ts'),
      path.resolve('checks/store.check.ts'),
    ])
    expect(await listCheckFiles(path.resolve('no-such-folder'))).toEqual([])
  })

  it('loads and validates the shipped examples', async () => {
    const order = await loadCheck(path.resolve('checks/order.check.ts'))
    expect(order).toMatchObject({ title: expect.stringContaining('3 clicks'), budgets: { maxClicks: 3 }, demo: true, device: 'desktop' })
    expect(typeof order.run).toBe('function')
    const store = await loadCheck(path.resolve('checks/store.check.ts'))
    expect(store).toMatchObject({ device: 'phone', budgets: { maxClicks: 2 } })
  })

  it('names the file and the field of an invalid check', async () => {
    await expect(loadCheck(path.join(fixtures, 'bad-budget.check.ts'))).rejects.toThrow(
      /bad-budget\.check\.ts: invalid promise: budgets: .*maxClick/,
    )
    await expect(loadCheck(path.join(fixtures, 'no-default.check.ts'))).rejects.toThrow(
      /no-default\.check\.ts: expected `export default definePromise/,
    )
    await expect(loadCheck(path.join(fixtures, 'missing.check.ts'))).rejects.toThrow(/missing\.check\.ts: cannot load/)
  })

  it('takes only a bare file name from a job', () => {
    expect(checkPath('/srv/checks', 'order.check.ts')).toBe('/srv/checks/order.check.ts')
    expect(() => checkPath('/srv/checks', '../secret.check.ts')).toThrow(/expected a file name/)
    expect(() => checkPath('/srv/checks', 'order.ts')).toThrow(/expected a file name/)
  })

  it('walks its own baseUrl, else KEPT_CHECKS_BASE_URL, else the demo shop', () => {
    expect(checkBaseUrl({ baseUrl: 'https://shop.example.com' }, { KEPT_CHECKS_BASE_URL: 'http://x' })).toBe('https://shop.example.com')
    expect(checkBaseUrl({}, { KEPT_CHECKS_BASE_URL: 'http://x' })).toBe('http://x')
    expect(checkBaseUrl({}, { KEPT_DEMO_PORT: '4200' })).toBe('http://127.0.0.1:4200')
    expect(checkBaseUrl({}, {})).toBe('http://127.0.0.1:4100')
  })
})
