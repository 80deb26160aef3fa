import type { Env } from '../config/env.ts'
import { resolveChromium } from '../runner/browser-path.ts'

/** The Chromium a command runs here, or null after telling how to get one (the command then exits 2). */
export function localChromium(env: Env, command: string): string | null {
  const chromium = resolveChromium(env)
  if (!chromium) process.stderr.write(`${command}: no Chromium found; set KEPT_CHROMIUM_PATH or run \`npx playwright-core install chromium\`\n`)
  return chromium?.path ?? null
}
