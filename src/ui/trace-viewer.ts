import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import type { Db } from '../db/client.ts'
import { pageGuards, type UiEnv } from './guards.tsx'

// Playwright's own trace viewer, served by Kept at /trace-viewer/ behind
// sign-in: "Open the trace" works on a private network, with no outside
// site. Its CSP allows Kept's origin only, so the viewer (and the traced
// page's snapshots it shows) fetches nothing from elsewhere.

export const TRACE_VIEWER_PATH = '/trace-viewer'

/** The viewer's folder in the installed playwright-core. */
export function traceViewerDir(): string {
  const require = createRequire(import.meta.url)
  const root = path.dirname(require.resolve('playwright-core/package.json'))
  return path.join(root, 'lib', 'vite', 'traceViewer')
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
}

/** 'sha256-…' of every inline <script> of the viewer's pages, for the CSP. */
function inlineScriptHashes(dir: string): string[] {
  const hashes: string[] = []
  for (const page of ['index.html', 'snapshot.html', 'uiMode.html']) {
    let html = ''
    try {
      html = readFileSync(path.join(dir, page), 'utf8')
    } catch {
      continue
    }
    for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
      hashes.push(`'sha256-${createHash('sha256').update(match[1]!).digest('base64')}'`)
    }
  }
  return hashes
}

export function traceViewerRoutes(deps: { db: Db }) {
  const dir = traceViewerDir()
  const scripts = inlineScriptHashes(dir)
  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", ...scripts],
      // React sets style attributes; the traced pages' snapshots bring their own styles.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      workerSrc: ["'self'"],
      frameSrc: ["'self'"],
      frameAncestors: ["'self'"],
      baseUri: ["'self'"],
      objectSrc: ["'none'"],
    },
    // The snapshots are shown in frames of the viewer's own origin.
    xFrameOptions: 'SAMEORIGIN',
    referrerPolicy: 'same-origin',
  })
  const app = new Hono<UiEnv>()
  const guards = pageGuards(deps.db)

  app.get(`${TRACE_VIEWER_PATH}/*`, headers, guards.signedIn, async (c) => {
    const relative = decodeURIComponent(c.req.path.slice(TRACE_VIEWER_PATH.length + 1)) || 'index.html'
    const file = path.resolve(dir, relative)
    if (!file.startsWith(dir + path.sep)) return c.text('Not found', 404)
    const size = await stat(file).then((s) => (s.isFile() ? s.size : null), () => null)
    if (size === null) return c.text('Not found', 404)
    const body = await readFile(file)
    c.header('content-type', types[path.extname(file)] ?? 'application/octet-stream')
    // Fingerprinted assets may be cached; pages and the service worker not.
    c.header('cache-control', /\.[A-Za-z0-9_-]{8}\.(js|css)$/.test(file) ? 'private, max-age=86400' : 'no-store')
    return c.body(body, 200)
  })
  app.get(TRACE_VIEWER_PATH, (c) => c.redirect(`${TRACE_VIEWER_PATH}/index.html`, 303))
  return app
}
