import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { swaggerUI } from '@hono/swagger-ui'
import { Hono } from 'hono'

// Swagger UI served from the swagger-ui-dist package rather than a CDN:
// Kept is self-hosted and often runs where browsers reach no CDN.
const distDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
}

/** GET /docs (the UI, reading ../openapi.json) and its two assets. */
export function docsRoutes() {
  const app = new Hono()
  // Relative to /api/docs, so the UI works wherever /api is mounted.
  app.get('/', swaggerUI({ url: 'openapi.json', baseUrl: 'docs/assets', title: 'Kept API' }))
  app.get('/assets/swagger-ui-dist/:file', async (c) => {
    const file = c.req.param('file')
    const type = assets[file]
    if (!type) return c.notFound()
    const body = await readFile(path.join(distDir, file))
    return c.body(body, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' })
  })
  return app
}
