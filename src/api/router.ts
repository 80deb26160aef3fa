import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import type { ZodError } from 'zod'
import { requireAction, type AuthEnv } from '../auth/middleware.ts'
import type { Action } from '../auth/permissions.ts'
import { pageSchema } from './pagination.ts'
import { ApiError, type FieldProblem } from './problem.ts'

export type ApiEnv = AuthEnv

/** Zod issues as problem `errors`: a dotted path (`budgets.maxClicks`) and what was expected. */
export function fieldProblems(error: ZodError, prefix = ''): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.')
    return { path: path || (prefix || 'body'), message: issue.message }
  })
}

/** Names the part of the request that failed: body fields as they are, others prefixed (query.limit). */
const targetPrefix: Record<string, string> = { json: '', form: '', query: 'query', param: 'param', header: 'header', cookie: 'cookie' }

/** A sub-app whose failed validations throw a 422 naming every field. */
export function newRouter(): OpenAPIHono<ApiEnv> {
  return new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (result.success) return
      const errors = fieldProblems(result.error, targetPrefix[result.target] ?? result.target)
      const first = errors[0]!
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''
      throw new ApiError(422, `${first.path}: ${first.message}${more}`, errors)
    },
  })
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })),
  })
  .openapi('Problem')

export const problemContent = { 'application/problem+json': { schema: ProblemSchema } }

/** The error answers every protected route can give, for the OpenAPI document. */
export const problemResponses = {
  401: { description: 'No valid token or session', content: problemContent },
  403: { description: 'The role may not do this, or a session sent no CSRF token', content: problemContent },
  404: { description: 'No such resource', content: problemContent },
  422: { description: 'The request does not validate: `errors` names each field', content: problemContent },
} as const

export const IdParams = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: '0b9f…' }) })

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(value: string): boolean {
  return UUID.test(value)
}

/** A path id that is not a UUID names nothing: 404, like an unknown one. */
export function requireUuid(id: string, what: string): string {
  if (!isUuid(id)) throw new ApiError(404, `no ${what} with id ${id}`)
  return id
}

export const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null)

/** A JSON response (or body content) of `schema`, for the OpenAPI document. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } })

/** A required JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { 'application/json': { schema } } })

/** What every guarded route declares first: method, path, its tags and summary, and who may call it. */
export function guarded<M extends 'get' | 'post' | 'put' | 'patch' | 'delete', P extends string>(
  method: M,
  path: P,
  tags: string[],
  summary: string,
  action: Action,
) {
  return { method, path, tags, summary, middleware: requireAction(action) }
}

// The shapes most routes take, each in one line where it is declared.

/** GET a page of `schema` items. */
export function listOf<P extends string, Q extends z.ZodObject, S extends z.ZodType>(path: P, tags: string[], summary: string, action: Action, query: Q, schema: S, description: string) {
  return createRoute({ ...guarded('get', path, tags, summary, action), request: { query }, responses: { 200: json(pageSchema(schema), description), ...problemResponses } })
}

/** GET one item by its id. */
export function getOne<P extends string, S extends z.ZodType>(path: P, tags: string[], summary: string, action: Action, schema: S, description: string) {
  return createRoute({ ...guarded('get', path, tags, summary, action), request: { params: IdParams }, responses: { 200: json(schema, description), ...problemResponses } })
}

/** POST a new item: 201 with it. */
export function createOne<P extends string, B extends z.ZodType, S extends z.ZodType>(path: P, tags: string[], summary: string, action: Action, body: B, schema: S, description: string) {
  return createRoute({ ...guarded('post', path, tags, summary, action), request: { body: jsonBody(body) }, responses: { 201: json(schema, description), ...problemResponses } })
}

/** PATCH some fields of an item by its id: 200 with it. */
export function updateOne<P extends string, B extends z.ZodType, S extends z.ZodType>(path: P, tags: string[], summary: string, action: Action, body: B, schema: S, description: string) {
  return createRoute({ ...guarded('patch', path, tags, summary, action), request: { params: IdParams, body: jsonBody(body) }, responses: { 200: json(schema, description), ...problemResponses } })
}

/** DELETE an item by its id: 204. */
export function deleteOne<P extends string>(path: P, tags: string[], summary: string, action: Action) {
  return createRoute({ ...guarded('delete', path, tags, summary, action), request: { params: IdParams }, responses: { 204: { description: 'Deleted' }, ...problemResponses } })
}
