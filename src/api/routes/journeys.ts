import { createRoute, z } from '@hono/zod-openapi'
import { parseJourney } from '../../domain/journey/parse.ts'
import { suggestBudgets } from '../../domain/suggest-budgets.ts'
import { journeyWordWarnings } from '../../domain/promise-words.ts'
import type { ApiDeps } from '../deps.ts'
import { guarded, json, newRouter, problemResponses } from '../router.ts'
import { BudgetsSchema } from '../schemas/common.ts'

const validateRoute = createRoute({
  ...guarded('post', '/journeys/validate', ['journeys'], "Check a journey's text (the form's live validation); with a title, suggest budgets from its words", 'promise.write'),
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            journey: z.string().max(50_000, 'expected at most 50000 characters'),
            title: z.string().max(200, 'expected at most 200 characters').optional(),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'ok, and each error with its line and column',
      content: {
        'application/json': {
          schema: z.object({
            ok: z.boolean(),
            errors: z.array(z.object({ line: z.number(), column: z.number(), message: z.string() })),
            steps: z.number(),
            suggestedBudgets: BudgetsSchema.optional(),
            warnings: z
              .array(z.object({ message: z.string(), suggestion: z.string() }))
              .optional()
              .openapi({ description: 'With a title: what the promise names that no step checks, with a step that would (never blocks saving)' }),
          }),
        },
      },
    },
    ...problemResponses,
  },
})

export function journeyRoutes(_deps: ApiDeps) {
  const app = newRouter()
  app.openapi(validateRoute, (c) => {
    const { journey, title } = c.req.valid('json')
    const result = parseJourney(journey)
    return c.json(
      {
        ok: result.ok,
        errors: result.ok ? [] : result.errors,
        steps: result.ok ? result.journey.steps.length : 0,
        ...(title !== undefined
          ? { suggestedBudgets: suggestBudgets(title), warnings: journeyWordWarnings(title, journey).map(({ message, suggestion }) => ({ message, suggestion })) }
          : {}),
      },
      200,
    )
  })
  return app
}
