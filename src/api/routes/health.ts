import { createRoute, z } from '@hono/zod-openapi'
import type { ApiDeps } from '../deps.ts'
import { newRouter } from '../router.ts'

const HealthSchema = z.object({ ok: z.boolean() }).catchall(z.unknown()).openapi('Health')

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  tags: ['health'],
  summary: 'Can Kept reach its database and Redis: ok or degraded to anyone, the details with a token',
  security: [],
  responses: {
    200: { description: 'Healthy', content: { 'application/json': { schema: HealthSchema } } },
    503: { description: 'Something Kept needs is down', content: { 'application/json': { schema: HealthSchema } } },
  },
})

export function healthRoutes(deps: ApiDeps) {
  const app = newRouter()
  app.openapi(healthRoute, async (c) => {
    const report = await deps.health()
    c.header('cache-control', 'no-store')
    // Strangers learn whether Kept is well, never its paths, driver or error texts.
    const status = report.ok ? 'ok' : 'degraded'
    const shown = c.get('principal') ? { ...report, status } : { ok: report.ok, status }
    return report.ok ? c.json(shown, 200) : c.json(shown, 503)
  })
  return app
}
