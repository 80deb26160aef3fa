import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { playwrightChromium, resolveChromium } from './browser-path.ts'

// `npm install` runs this (postinstall): make sure a Chromium exists for
// the journey worker. Fast when one is there; never fails the install,
// because Kept's API, pages and CLI work without a browser.

const say = (line: string): void => void process.stdout.write(`kept: ${line}\n`)

export function ensureBrowser(env: NodeJS.ProcessEnv = process.env): void {
  if (env.KEPT_SKIP_BROWSER_INSTALL === '1') return say('browser check skipped (KEPT_SKIP_BROWSER_INSTALL=1)')
  let found = resolveChromium(env)
  if (found?.source === 'env' && !existsSync(found.path)) {
    say(`KEPT_CHROMIUM_PATH=${found.path} does not exist; looking for another Chromium`)
    found = resolveChromium({})
  }
  if (found) return say(`Chromium found (${found.source}): ${found.path}`)

  say('no Chromium found: downloading Playwright’s (npx playwright-core install chromium)…')
  if (run('npx', ['--no-install', 'playwright-core', 'install', 'chromium'], 180_000) && existsSync(playwrightChromium() ?? '')) {
    return say(`Chromium installed: ${playwrightChromium()}`)
  }

  if (process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    say('the download failed: installing the system’s Chromium (apt-get install -y chromium)…')
    if (run('apt-get', ['update'], 300_000) && run('apt-get', ['install', '-y', 'chromium'], 600_000)) {
      const system = resolveChromium({})
      if (system) return say(`Chromium installed: ${system.path}`)
    }
  }

  say('no Chromium is installed, so journeys cannot run yet. Install one with:')
  say(process.platform === 'linux' ? '  sudo apt-get install -y chromium   (or: npx playwright-core install chromium)' : '  npx playwright-core install chromium')
  say('or point KEPT_CHROMIUM_PATH at a Chromium or Chrome binary.')
}

function run(command: string, args: string[], timeout: number): boolean {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], timeout, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  return result.status === 0
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    ensureBrowser()
  } catch (error) {
    say(`browser check failed (${(error as Error).message}); run \`npx playwright-core install chromium\` later`)
  }
  process.exit(0)
}
