import { createRoute, z } from '@hono/zod-openapi'
import { parseIsoWeek, previousWeek, weekOf } from '../../domain/week.ts'
import type { ApiDeps } from '../deps.ts'
import { guarded, json, newRouter, problemResponses } from '../router.ts'

const previewRoute = createRoute({
  ...guarded('get', '/digests/preview', ['digests'], 'The weekly NPS-risk digest of a week, as it would be sent (nothing is sent)', 'read'),
  request: {
    query: z.object({
      week: z
        .string()
        .regex(/^\d{4}-W\d{2}$/, 'expected an ISO week like 2026-W47')
        .optional()
        .openapi({ param: { name: 'week', in: 'query' }, description: 'default: last week', example: '2026-W47' }),
    }),
  },
  responses: {
    200: { description: 'The digest figures', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } },
    ...problemResponses,
  },
})

export function digestRoutes(deps: ApiDeps) {
  const app = newRouter()
  app.openapi(previewRoute, async (c) => {
    const week = c.req.valid('query').week ?? previousWeek(weekOf(new Date(), 'UTC'))
    parseIsoWeek(week) // a WeekError names `week` (e.g. 2026-W60)
    return c.json((await deps.previewDigest(week)) as Record<string, unknown>, 200)
  })
  return app
}
