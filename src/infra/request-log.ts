import type { MiddlewareHandler } from 'hono'
import type { Logger } from './logger.ts'

/** Writes a request's log line: method, path, status and ms since `started` (performance.now()). */
export type RequestLine = (method: string, path: string, status: number, started: number) => void

/**
 * One log line per request: method, path, status, time. The line holds
 * those four fields and nothing else, none of them a secret's key, so it is
 * written by a child logger without the logger's redaction: redaction
 * walks every line against its ~20 paths, ~10 µs of CPU a line against
 * ~4 µs without (bench/README.md, "API: where the time goes").
 */
export function requestLine(logger: Logger): RequestLine {
  const lines = typeof logger.child === 'function' ? logger.child({}, { redact: { paths: [] } }) : logger
  return (method, path, status, started) => {
    const ms = Math.round(performance.now() - started)
    lines[status >= 500 ? 'error' : 'info']({ method, path, status, ms }, 'request')
  }
}

/** The request log as middleware: a line for every request that passes it. */
export function requestLog(logger: Logger): MiddlewareHandler {
  const line = requestLine(logger)
  return async (c, next) => {
    const started = performance.now()
    await next()
    line(c.req.method, c.req.path, c.res.status, started)
  }
}
