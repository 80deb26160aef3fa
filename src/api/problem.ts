import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { SIGN_IN_CHALLENGE, type AuthError } from '../auth/middleware.ts'

// RFC 9457 problem details: every error of the API has this one shape.

export interface FieldProblem {
  /** Where in the request: a body path like `budgets.maxClicks`, or `query.limit`. */
  path: string
  message: string
}

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  errors: FieldProblem[]
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export function problem(status: number, detail: string, errors: FieldProblem[] = []): Problem {
  return { type: 'about:blank', title: titles[status] ?? 'Error', status, detail, errors }
}

export function problemResponse(c: Context, body: Problem, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(body), body.status as ContentfulStatusCode, {
    'content-type': PROBLEM_CONTENT_TYPE,
    ...headers,
  })
}

/** A refusal of src/auth as problem JSON: 401 with its challenge, 403. */
export function authProblemResponse(c: Context, error: AuthError): Response {
  return problemResponse(c, problem(error.status, error.message), error.status === 401 ? { 'www-authenticate': SIGN_IN_CHALLENGE } : {})
}

/** Thrown by handlers and mapped to problem JSON by the app's onError. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(detail)
    this.name = 'ApiError'
  }

  toProblem(): Problem {
    return problem(this.status, this.message, this.errors)
  }
}

export const notFound = (what: string, id: string) => new ApiError(404, `no ${what} with id ${id}`)

/** A 422 naming one field. */
export const invalid = (path: string, message: string) => new ApiError(422, `${path}: ${message}`, [{ path, message }])
