import { createHash } from 'node:crypto'
import { Hono } from 'hono'
import { builderScript } from './builder-script.ts'
import { claimFinderScript } from './claim-finder-script.ts'
import { script } from './script.ts'
import { css } from './styles.ts'

/** The pages' one script: the pages' own, then the promise form's claim finder and journey builder. */
const bundle = script + claimFinderScript + builderScript

// Fingerprinted asset URLs: the content's hash is in the name, so a page
// always links the version it was rendered with and browsers may cache
// them for a year.

function fingerprint(content: string): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 12)
}

export const STYLESHEET_URL = `/assets/kept.${fingerprint(css)}.css`
export const SCRIPT_URL = `/assets/kept.${fingerprint(bundle)}.js`

const CACHE = 'public, max-age=31536000, immutable'

export function assetRoutes() {
  const app = new Hono()
  app.get(STYLESHEET_URL, (c) => c.body(css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': CACHE }))
  app.get(SCRIPT_URL, (c) =>
    c.body(bundle, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': CACHE }),
  )
  return app
}
