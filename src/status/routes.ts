import { Hono } from 'hono'
import { cachedResponse } from '../api/cached-response.ts'
import { cachedText, type CachedJson, type ReadCache } from '../api/read-cache.ts'
import type { Db } from '../db/client.ts'
import { pageHeaders } from '../ui/guards.tsx'
import { stateBadge } from './badge.ts'
import { incidentFeed } from './feed.ts'
import { loadStatus, type StatusData } from './load.ts'
import { StatusPage } from './page.tsx'

// The public status page and its machine forms, no sign-in: GET /status
// (HTML, no script), /status.json, /status/feed.atom (incidents) and
// /status/{id}/badge.svg (404 unless the promise is public). Every answer
// comes from one snapshot held in a read cache: rendered once per
// KEPT_STATUS_CACHE_SECONDS, whatever the number of visitors, and renewed
// in the background while the stale one is still answered.

export interface StatusLogo {
  bytes: Uint8Array<ArrayBuffer>
  type: string
}

export interface StatusDeps {
  db: Db
  name: string
  /** Holds the snapshot for KEPT_STATUS_CACHE_SECONDS; browsers and proxies may keep an answer as long. */
  cache: ReadCache
  cacheSeconds: number
  logo?: StatusLogo | null
  /** KEPT_PUBLIC_URL when set: the feed's links (else the request's origin). */
  publicUrl?: string
}

interface Snapshot {
  data: StatusData
  html: CachedJson
  json: CachedJson
  /** Made on first request, per origin the feed's links name. */
  feeds: Map<string, CachedJson>
  badges: Map<string, string>
}

export const LOGO_PATH = '/status/logo'

export function statusRoutes(deps: StatusDeps) {
  const app = new Hono()
  const maxAge = deps.cacheSeconds > 0 ? `public, max-age=${Math.round(deps.cacheSeconds)}` : 'no-cache'

  const snapshot = () =>
    deps.cache.value<Snapshot>('status', async () => {
      const data = await loadStatus(deps.db, { name: deps.name })
      const page = StatusPage({ data, logoUrl: deps.logo ? LOGO_PATH : null })
      return {
        data,
        html: cachedText(String(await page)),
        json: cachedText(JSON.stringify(statusJson(data))),
        feeds: new Map(),
        badges: new Map(),
      }
    })

  app.use('/status', pageHeaders)
  app.use('/status/*', pageHeaders)

  app.get('/status', async (c) => cachedResponse(c, (await snapshot()).html, { 'content-type': 'text/html; charset=utf-8', 'cache-control': maxAge }))

  app.get('/status.json', async (c) =>
    cachedResponse(c, (await snapshot()).json, { 'content-type': 'application/json', 'cache-control': maxAge, 'access-control-allow-origin': '*' }),
  )

  app.get('/status/feed.atom', async (c) => {
    const snap = await snapshot()
    const base = deps.publicUrl ?? new URL(c.req.url).origin
    let feed = snap.feeds.get(base)
    if (!feed) snap.feeds.set(base, (feed = cachedText(incidentFeed(snap.data, base))))
    return cachedResponse(c, feed, { 'content-type': 'application/atom+xml; charset=utf-8', 'cache-control': maxAge })
  })

  app.get('/status/:id/badge.svg', async (c) => {
    const snap = await snapshot()
    const id = c.req.param('id')
    const promise = snap.data.promises.find((p) => p.id === id)
    if (!promise) return c.text('No public promise has this id.', 404)
    let svg = snap.badges.get(id)
    if (!svg) snap.badges.set(id, (svg = stateBadge(promise.title, promise.state)))
    return c.body(svg, 200, { 'content-type': 'image/svg+xml', 'cache-control': maxAge })
  })

  app.get(LOGO_PATH, (c) => {
    if (!deps.logo) return c.text('No logo is set (KEPT_STATUS_LOGO).', 404)
    return c.body(deps.logo.bytes, 200, { 'content-type': deps.logo.type, 'cache-control': 'public, max-age=3600' })
  })

  return app
}

/** The status as JSON: what the page shows, nothing more. */
export function statusJson(data: StatusData) {
  return {
    name: data.name,
    generatedAt: data.generatedAt.toISOString(),
    summary: data.summary,
    promises: data.promises.map((p) => ({
      id: p.id,
      title: p.title,
      state: p.state,
      keptRate: p.keptRate,
      days: p.days,
      badge: `/status/${p.id}/badge.svg`,
    })),
    incidents: data.incidents.map((i) => ({
      id: i.id,
      promiseId: i.promiseId,
      title: i.title,
      openedAt: i.openedAt.toISOString(),
      resolvedAt: i.resolvedAt?.toISOString() ?? null,
      notes: i.notes.map((n) => ({ at: n.at.toISOString(), body: n.body })),
    })),
    maintenance: data.maintenance.map((m) => ({ start: m.start.toISOString(), end: m.end.toISOString(), promises: m.promises })),
  }
}
