import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer as createTcpServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { promises } from '../../src/db/schema.ts'
import { startDemoShop, type DemoShop } from '../../src/demo/shop.tsx'
import type { RunResult } from '../../src/domain/run.ts'
import { resolveChromium } from '../../src/runner/browser-path.ts'
import { freshDatabase } from '../support/db.ts'

// `kept test` as a person runs it: a code check, a journey file, a promise
// of the database. Each call is its own process with its own Chromium.

describe('kept test', () => {
  let shop: DemoShop
  let pg: Awaited<ReturnType<typeof freshDatabase>>
  let dataDir: string
  const chromium = resolveChromium(process.env)

  beforeAll(async () => {
    shop = await startDemoShop({ port: 0 })
    pg = await freshDatabase()
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-cli-test-'))
  })
  afterAll(async () => {
    await shop?.close()
    await pg?.drop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  const kept = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/cli/kept.ts', 'test', ...args],
        {
          env: {
            ...process.env,
            DATABASE_URL: pg.url,
            KEPT_DATA_DIR: dataDir,
            KEPT_CHECKS_BASE_URL: shop.url,
            ...(chromium ? { KEPT_CHROMIUM_PATH: chromium.path } : {}),
            LOG_LEVEL: 'warn',
          },
          timeout: 60_000,
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      )
    })
  const order = (button = 'Place order') =>
    [`go to ${shop.url}/`, 'click "Shop now"', 'click "Add to cart"', `click "${button}"`, 'expect "Order confirmed"'].join('\n')

  it('ends once it has said its verdict, whatever connection the site keeps open (a WebSocket the server never closes)', { timeout: 90_000 }, async () => {
    // A page that opens a WebSocket to a server holding every connection
    // open: the browser reaches it through the walk's own proxy, as a tunnel.
    const held: Socket[] = []
    const holder: Server = createTcpServer((socket) => void held.push(socket))
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    const wsPort = (holder.address() as AddressInfo).port
    const page = createTcpServer((socket) =>
      socket.once('data', () => {
        const html = `<!doctype html><title>Live</title><h1>Live prices</h1><script>window.ws = new WebSocket('ws://127.0.0.1:${wsPort}/')</script>`
        socket.end(`HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: ${Buffer.byteLength(html)}\r\nconnection: close\r\n\r\n${html}`)
      }),
    )
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve))
    const file = path.join(dataDir, 'live.txt')
    await writeFile(file, [`go to http://127.0.0.1:${(page.address() as AddressInfo).port}/`, 'wait 1 seconds', 'expect "Live prices"'].join('\n'))
    try {
      const started = Date.now()
      const { code, stdout } = await kept(file)
      expect(stdout).toMatch(/^KEPT: /m)
      expect(code).toBe(0)
      // It walked, said so and left: no hang on the held connection (the call's own limit is 60 s).
      expect(Date.now() - started).toBeLessThan(45_000)
      expect(held.length).toBeGreaterThan(0)
    } finally {
      for (const socket of held) socket.destroy()
      holder.close()
      page.close()
    }
  })

  it('walks a code check and prints each step, the clicks and the verdict', { timeout: 60_000 }, async () => {
    const { code, stdout, stderr } = await kept('checks/order.check.ts')
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toMatch(/✓  2  click "Shop now"  \(\d+ ms  1 click\)/)
    expect(stdout).toMatch(/^KEPT: 3 clicks in \d+\.\d s/m)
  })

  it('exits 1 on a broken journey file and prints the result as JSON', { timeout: 60_000 }, async () => {
    const file = path.join(dataDir, 'journey.txt')
    await writeFile(file, order('Place the order'))
    const { code, stdout } = await kept(file, '--json')
    expect(code).toBe(1)
    const result = JSON.parse(stdout) as RunResult
    expect(result).toMatchObject({ outcome: 'broken', trigger: 'test', failure: { kind: 'step', line: 4 } })
    expect(result.failure!.message).toContain('closest: "Place order"')
    expect(result.steps.map((s) => s.outcome)).toEqual(['passed', 'passed', 'passed', 'failed', 'skipped'])
  })

  it('judges a journey file against the budgets given on the command line, and names a bad one', { timeout: 150_000 }, async () => {
    const file = path.join(dataDir, 'budgeted.txt')
    await writeFile(file, order())
    const over = await kept(file, '--max-clicks', '2', '--max-seconds', '60', '--json')
    expect(over.code).toBe(1)
    const result = JSON.parse(over.stdout) as RunResult
    expect(result).toMatchObject({ outcome: 'broken', clicks: 3, failure: { kind: 'budget', budget: 'maxClicks' } })
    expect(result.failure!.message).toContain('took 3 clicks, the promise allows 2')
    const said = await kept(file, '--max-clicks', '2')
    expect(said.stdout).toMatch(/^BROKEN: 3 clicks in \d+\.\d s.* — took 3 clicks, the promise allows 2 \(maxClicks; the click over it is on line 4\)$/m)
    const met = await kept(file, '--max-clicks', '3')
    expect(met.code).toBe(0)
    expect(met.stdout).toMatch(/^KEPT: 3 clicks/m)
    const bad = await kept(file, '--max-clicks', 'three')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--max-clicks: expected a whole number of clicks like 3, found "three"')
  })

  it('walks a stored promise by id, measured as a scheduled run is', { timeout: 60_000 }, async () => {
    const [row] = await pg.db
      .insert(promises)
      .values({ title: 'Order online in 3 clicks', journey: order(), budgets: { maxClicks: 3, maxSeconds: 60 } })
      .returning()
    const { code, stdout } = await kept(row!.id, '--json')
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ promiseId: row!.id, outcome: 'kept', clicks: 3, failure: null })
  })

  it('says what is wrong with a target that is neither a file nor an id', async () => {
    const { code, stderr } = await kept('no-such-journey.txt')
    expect(code).toBe(2)
    expect(stderr).toContain('no-such-journey.txt: no such file, and not a promise id')
  })
})
