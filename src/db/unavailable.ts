// A query that failed because the database is not there (stopped,
// restarting, unreachable), as opposed to a query that is wrong: the
// former is a 503 with Retry-After, the latter a 500.

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  // postgres.js
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  // Postgres: admin shutdown, crash shutdown, cannot connect now (starting up or shutting down)
  '57P01',
  '57P02',
  '57P03',
])

/** Walks the error and its causes (drizzle wraps the driver's error). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08'))) return true
    // An AggregateError of connection attempts (IPv4 and IPv6 both refused).
    if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner))) return true
  }
  return false
}

/** What the API and pages say meanwhile. */
export const DATABASE_UNAVAILABLE = 'the database is not answering (stopped or restarting); try again in a few seconds'
export const RETRY_AFTER_SECONDS = 5
