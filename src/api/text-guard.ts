import { createMiddleware } from 'hono/factory'
import { textProblem } from '../domain/promise-limits.ts'
import { problem, problemResponse } from './problem.ts'

// Every string of a JSON body, keys too, must be storable text: a NUL or a
// lone surrogate would fail deep in Postgres as a 500, or be stored
// mangled. Checked once here for every write route, naming the field.

type Found = { path: string; message: string }

function firstBadText(value: unknown, path: string[]): Found | null {
  if (typeof value === 'string') {
    const message = textProblem(value)
    return message ? { path: path.join('.') || 'body', message } : null
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = firstBadText(item, [...path, String(index)])
      if (found) return found
    }
    return null
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyMessage = textProblem(key)
      if (keyMessage) return { path: [...path, key].join('.'), message: `a field name: ${keyMessage}` }
      const found = firstBadText(item, [...path, key])
      if (found) return found
    }
  }
  return null
}

/** 422 for a JSON body with text Postgres cannot store; other bodies pass (their routes judge them). */
export const textGuard = createMiddleware(async (c, next) => {
  if (!(c.req.header('content-type') ?? '').includes('json')) return next()
  // Hono keeps the parsed body: the route's validator reads it again for free.
  const body = await c.req.json().catch(() => undefined)
  const found = body === undefined ? null : firstBadText(body, [])
  if (!found) return next()
  return problemResponse(c, problem(422, `${found.path}: ${found.message}`, [found]))
})
