import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { resolveChromium } from '../../src/runner/browser-path.ts'

// The postinstall browser check: quick when a browser is there, never
// failing the install.

const ensure = (env: Record<string, string>) =>
  execFileSync(process.execPath, ['--import', 'tsx', 'src/runner/ensure-browser.ts'], {
    env: { ...process.env, KEPT_CHROMIUM_PATH: '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  })

describe('ensure-browser', () => {
  const found = resolveChromium({})

  it('is skipped with KEPT_SKIP_BROWSER_INSTALL=1', () => {
    expect(ensure({ KEPT_SKIP_BROWSER_INSTALL: '1' })).toContain('browser check skipped')
  })

  it.skipIf(!found)('finds the browser a worker would use, and says where', () => {
    expect(ensure({})).toContain(`Chromium found (${found!.source}): ${found!.path}`)
    expect(ensure({ KEPT_CHROMIUM_PATH: found!.path })).toContain(`Chromium found (env): ${found!.path}`)
  })

  it.skipIf(!found)('looks further when KEPT_CHROMIUM_PATH names no file', () => {
    const out = ensure({ KEPT_CHROMIUM_PATH: '/nonexistent/chrome' })
    expect(out).toContain('KEPT_CHROMIUM_PATH=/nonexistent/chrome does not exist')
    expect(out).toContain(`Chromium found (${found!.source})`)
  })

  it('resolves KEPT_CHROMIUM_PATH first, so a typo shows at launch', () => {
    expect(resolveChromium({ KEPT_CHROMIUM_PATH: '/opt/chrome' })).toEqual({ path: '/opt/chrome', source: 'env' })
  })
})
