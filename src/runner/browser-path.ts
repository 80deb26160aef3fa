import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'

export interface ChromiumPath {
  path: string
  /** env: KEPT_CHROMIUM_PATH; playwright: Playwright's own download; system: a distribution package. */
  source: 'env' | 'playwright' | 'system'
}

export const SYSTEM_CHROMIUM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
]

/**
 * The Chromium a worker launches: KEPT_CHROMIUM_PATH when set (even if
 * missing, so a typo shows up at launch rather than being skipped), then
 * Playwright's own Chromium, then the system's. null when there is none.
 */
export function resolveChromium(env: { KEPT_CHROMIUM_PATH?: string }): ChromiumPath | null {
  if (env.KEPT_CHROMIUM_PATH) return { path: env.KEPT_CHROMIUM_PATH, source: 'env' }
  const own = playwrightChromium()
  if (own && existsSync(own)) return { path: own, source: 'playwright' }
  const system = SYSTEM_CHROMIUM_PATHS.find((candidate) => existsSync(candidate))
  return system ? { path: system, source: 'system' } : null
}

/** Where Playwright keeps the Chromium of its registry (it may not be downloaded). */
export function playwrightChromium(): string | null {
  try {
    return chromium.executablePath()
  } catch {
    return null
  }
}
