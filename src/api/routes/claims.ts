import { createRoute, z } from '@hono/zod-openapi'
import { DISCOVERY_LIMITS, MAX_PAGES_PROBLEM, discoverUrlProblem } from '../../domain/claims/discovery.ts'
import { DiscoveryUnavailableError } from '../../queue/discovery.ts'
import { DiscoveryInputError } from '../../services/claim-discovery.ts'
import type { ApiDeps } from '../deps.ts'
import { ApiError, invalid } from '../problem.ts'
import { ProblemSchema, guarded, json, jsonBody, newRouter, problemResponses } from '../router.ts'
import { BudgetsSchema } from '../schemas/common.ts'

const { min, max } = DISCOVERY_LIMITS.maxPages

const DiscoverBody = z.strictObject({
  url: z
    .string('expected the address of a web page, like https://shop.example.com')
    .max(2000, 'expected at most 2000 characters')
    .superRefine((url, ctx) => {
      const problem = discoverUrlProblem(url)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    })
    .openapi({ example: 'https://shop.example.com/' }),
  maxPages: z.number(MAX_PAGES_PROBLEM).int(MAX_PAGES_PROBLEM).min(min, MAX_PAGES_PROBLEM).max(max, MAX_PAGES_PROBLEM).default(DISCOVERY_LIMITS.maxPages.default),
})

const DiscoveredClaimSchema = z
  .object({
    kind: z.enum(['clicks', 'seconds']),
    value: z.number(),
    text: z.string().openapi({ description: 'The sentence as written on the page (at most 200 characters, cut around the claim with "…")' }),
    pageUrl: z.string(),
    suggested: z.object({ title: z.string(), budgets: BudgetsSchema }),
    alsoOn: z.array(z.string()).openapi({ description: 'Other pages with the same sentence' }),
  })
  .openapi('DiscoveredClaim')

const DiscoverySchema = z
  .object({
    claims: z.array(DiscoveredClaimSchema),
    skipped: z.array(z.object({ pageUrl: z.string(), reason: z.string() })).openapi({ description: 'Pages not read, each with why: robots.txt, a status, a time limit' }),
    pages: z.number().openapi({ description: 'Pages read (loaded or not)' }),
  })
  .openapi('Discovery')

const discoverRoute = createRoute({
  ...guarded(
    'post',
    '/claims/discover',
    ['claims'],
    "Read a site's pages in a real browser (same origin, robots.txt obeyed, time-limited) and list the checkable claims they make, each with the promise it suggests",
    'promise.write',
  ),
  request: { body: jsonBody(DiscoverBody) },
  responses: {
    200: json(DiscoverySchema, 'The claims found, in the order their pages were read, and the pages skipped'),
    ...problemResponses,
    503: { description: 'No journey worker answered in time, or it could not read the site', content: { 'application/problem+json': { schema: ProblemSchema } } },
  },
})

export function claimRoutes(deps: ApiDeps) {
  const app = newRouter()
  app.openapi(discoverRoute, async (c) => {
    const request = c.req.valid('json')
    if (!deps.discoverClaims) throw new ApiError(503, 'claim discovery needs journey workers: this API was started without a queue')
    try {
      return c.json(await deps.discoverClaims(request), 200)
    } catch (error) {
      if (error instanceof DiscoveryInputError) throw invalid(error.path, error.message)
      if (error instanceof DiscoveryUnavailableError) throw new ApiError(503, error.message)
      throw error
    }
  })
  return app
}
