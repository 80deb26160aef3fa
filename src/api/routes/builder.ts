import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { BuilderInputError, BuilderStateError, type BuilderSessions } from '../../builder/sessions.ts'
import type { ApiDeps } from '../deps.ts'
import { ApiError, invalid } from '../problem.ts'
import { guarded, json, jsonBody, newRouter, problemResponses, type ApiEnv } from '../router.ts'

// "Build by clicking" (src/builder): a session of Kept's own Chromium on a
// site, driven from the promise form. Each action names what is at a point
// of the page's picture as a step of the journey language and walks it; the
// answer is the step written (or why none was) and the page's new picture.
// The same permission as editing a promise.

const Point = {
  x: z.number('expected x, a number of CSS pixels from the left of the picture').min(0, 'expected x of 0 or more').max(10_000),
  y: z.number('expected y, a number of CSS pixels from the top of the picture').min(0, 'expected y of 0 or more').max(10_000),
}

const Outcome = z
  .object({
    ok: z.boolean(),
    step: z.string().nullable().openapi({ description: 'The step written and walked; null when none was' }),
    error: z.string().nullable().openapi({ description: 'Why no step was written: the walk failed, or nothing there can be named' }),
    field: z.object({ name: z.string(), kind: z.enum(['fill', 'select']) }).optional().openapi({ description: 'A click landed on a field: ask what to type, then POST …/fill' }),
    clicks: z.number().openapi({ description: 'Clicks the browser counted during the step' }),
    durationMs: z.number(),
    totalClicks: z.number().openapi({ description: 'Clicks counted since the session opened' }),
    url: z.string(),
    screenshot: z.string().openapi({ description: 'The viewport (1280×800) as a data: URL (JPEG)' }),
  })
  .openapi('BuilderStep')

const Opened = Outcome.extend({ id: z.string(), expiresAt: z.string(), idleSeconds: z.number() }).openapi('BuilderSession')

const Id = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) })

const openRoute = createRoute({
  ...guarded('post', '/builder/sessions', ['builder'], "Open a builder session: Kept's Chromium goes to the address (or walks the journey so far)", 'promise.write'),
  request: {
    body: jsonBody(
      z
        .strictObject({
          url: z.string('expected the address of a web page, like https://shop.example.com').max(2000, 'expected at most 2000 characters').optional(),
          journey: z.string('expected the journey so far, one step a line').max(50_000, 'expected at most 50000 characters').optional(),
        })
        .openapi({ example: { url: 'https://shop.example.com/' } }),
    ),
  },
  responses: { 201: json(Opened, 'The session, with the first step (`go to …`) walked and the page’s picture'), ...problemResponses },
})

const clickRoute = createRoute({
  ...guarded('post', '/builder/sessions/{id}/click', ['builder'], 'Click what is at a point of the picture: written as a click (or check) step and walked', 'promise.write'),
  request: { params: Id, body: jsonBody(z.strictObject(Point)) },
  responses: { 200: json(Outcome, 'The step written and walked, or why none was'), ...problemResponses },
})

const fillRoute = createRoute({
  ...guarded('post', '/builder/sessions/{id}/fill', ['builder'], 'Type into the field at a point: written as a fill (or select) step and walked', 'promise.write'),
  request: {
    body: jsonBody(
      z.strictObject({
        ...Point,
        value: z.string('expected the text to type').max(2000, 'expected at most 2000 characters'),
        press: z.enum(['Enter', 'Tab'], 'expected Enter or Tab').optional(),
      }),
    ),
    params: Id,
  },
  responses: { 200: json(Outcome, 'The step written and walked, or why none was'), ...problemResponses },
})

const expectRoute = createRoute({
  ...guarded('post', '/builder/sessions/{id}/expect', ['builder'], 'Expect the text shown at a point (or a given text): written as an expect step and checked', 'promise.write'),
  request: {
    params: Id,
    body: jsonBody(
      z.union([z.strictObject(Point), z.strictObject({ text: z.string('expected the text').trim().min(1, 'expected a text').max(500, 'expected at most 500 characters') })], {
        error: 'expected {x, y}, a point of the picture, or {text}',
      }),
    ),
  },
  responses: { 200: json(Outcome, 'The step written and checked, or why none was'), ...problemResponses },
})

const lookRoute = createRoute({
  ...guarded('get', '/builder/sessions/{id}', ['builder'], 'The page as it is now', 'promise.write'),
  request: { params: Id },
  responses: { 200: json(z.object({ url: z.string(), screenshot: z.string(), totalClicks: z.number() }), 'The picture'), ...problemResponses },
})

const scrollRoute = createRoute({
  ...guarded('post', '/builder/sessions/{id}/scroll', ['builder'], 'Scroll the page (no step is written)', 'promise.write'),
  request: {
    params: Id,
    body: jsonBody(z.strictObject({ dy: z.number('expected dy, CSS pixels to scroll down (negative: up)').min(-10_000, 'expected dy of -10000 or more').max(10_000, 'expected dy of 10000 or less') })),
  },
  responses: { 200: json(z.object({ url: z.string(), screenshot: z.string(), totalClicks: z.number() }), 'The picture'), ...problemResponses },
})

const closeRoute = createRoute({
  ...guarded('delete', '/builder/sessions/{id}', ['builder'], 'Close a builder session', 'promise.write'),
  request: { params: Id },
  responses: { 204: { description: 'Closed' }, ...problemResponses },
})

export function builderRoutes(deps: ApiDeps) {
  const app = newRouter()
  const sessions = (): BuilderSessions => {
    if (!deps.builder) throw new ApiError(503, 'the journey builder runs in `kept start` and `kept api`; this API was started without it')
    return deps.builder
  }
  const owner = (c: Context<ApiEnv>) => {
    const principal = c.get('principal')!
    return principal.userId ?? `token:${principal.name}`
  }

  app.openapi(openRoute, async (c) => {
    const body = c.req.valid('json')
    const opened = await mapped(() => sessions().start(owner(c), { ...(body.url !== undefined ? { url: body.url } : {}), ...(body.journey !== undefined ? { journey: body.journey } : {}) }))
    return c.json(opened, 201)
  })
  app.openapi(clickRoute, async (c) => {
    const { x, y } = c.req.valid('json')
    return c.json(await mapped(() => sessions().act(owner(c), c.req.valid('param').id, (s) => s.click(x, y))), 200)
  })
  app.openapi(fillRoute, async (c) => {
    const { x, y, value, press } = c.req.valid('json')
    return c.json(await mapped(() => sessions().act(owner(c), c.req.valid('param').id, (s) => s.fill(x, y, value, press))), 200)
  })
  app.openapi(expectRoute, async (c) => {
    const body = c.req.valid('json')
    return c.json(await mapped(() => sessions().act(owner(c), c.req.valid('param').id, (s) => s.expect(body))), 200)
  })
  app.openapi(lookRoute, async (c) => {
    return c.json(await mapped(() => sessions().act(owner(c), c.req.valid('param').id, (s) => s.look())), 200)
  })
  app.openapi(scrollRoute, async (c) => {
    const { dy } = c.req.valid('json')
    return c.json(await mapped(() => sessions().act(owner(c), c.req.valid('param').id, (s) => s.scroll(dy))), 200)
  })
  app.openapi(closeRoute, async (c) => {
    await mapped(() => sessions().close(owner(c), c.req.valid('param').id))
    return c.body(null, 204)
  })
  return app
}

async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if (error instanceof BuilderInputError) throw invalid(error.path, error.message)
    if (error instanceof BuilderStateError) throw new ApiError(error.status, error.message)
    throw error
  }
}
