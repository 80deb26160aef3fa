import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveChromium } from '../../src/runner/browser-path.ts'
import { BrowserPool } from '../../src/runner/browser-pool.ts'
import { KEPT_DISABLED_FEATURES, PLAYWRIGHT_DISABLED_FEATURES } from '../../src/runner/chromium-args.ts'
import { processTree } from '../../bench/lib/pss.ts'

// The browser Kept launches, read back from /proc (Linux): what Chromium
// was told on its command line, and the processes a walk's context costs.

/** Argv of this process's descendants (a renderer rewrites its argv into one string). */
function descendants(): string[][] {
  return processTree(process.pid)
    .slice(1)
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      } catch {
        return [] // ended while we looked
      }
    })
}

describe('the Chromium Kept launches', () => {
  let pool: BrowserPool
  let server: http.Server
  let url: string

  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('<!doctype html><title>shop</title><button>Buy</button>'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    pool = new BrowserPool({ executablePath: resolveChromium(process.env)?.path })
    await pool.acquire()
  })

  afterAll(async () => {
    await pool?.close()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  it("keeps Playwright's disabled features and adds Kept's (Chromium honours only the last --disable-features)", () => {
    const browser = descendants().find((argv) => argv.includes('--remote-debugging-pipe') && !argv.some((a) => a.startsWith('--type=')))
    expect(browser, 'the browser process').toBeDefined()
    const lists = browser!.filter((a) => a.startsWith('--disable-features=')).map((a) => a.slice('--disable-features='.length).split(','))
    expect(lists.length).toBeGreaterThanOrEqual(2)
    // Playwright's own, first: when an upgrade changes it, PLAYWRIGHT_DISABLED_FEATURES must follow.
    expect([...lists[0]!].sort()).toEqual([...PLAYWRIGHT_DISABLED_FEATURES].sort())
    const last = new Set(lists.at(-1))
    for (const feature of [...lists[0]!, ...KEPT_DISABLED_FEATURES]) expect(last.has(feature), feature).toBe(true)
  })

  it("gives a walk's context one renderer and none of the browser's own pages", async () => {
    const context = await pool.newContext()
    try {
      const page = await context.newPage()
      await page.goto(url)
      await page.getByRole('button', { name: 'Buy' }).click()
      const browser = await pool.acquire()
      const cdp = await browser.newBrowserCDPSession()
      const { targetInfos } = await cdp.send('Target.getTargets')
      await cdp.detach()
      // Without Kept's flags: two chrome://omnibox-popup.top-chrome/ pages (browser_ui) and three renderers.
      const walkContext = targetInfos.find((t) => t.type === 'page')?.browserContextId
      expect(targetInfos.filter((t) => t.browserContextId === walkContext).map((t) => t.type)).toEqual(['page'])
      expect(descendants().filter((argv) => argv.join(' ').includes('--type=renderer'))).toHaveLength(1)
    } finally {
      await context.close()
    }
  })
})
