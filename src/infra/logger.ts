import { createRequire } from 'node:module'
import { pino } from 'pino'
import type { Env } from '../config/env.ts'

export type Logger = pino.Logger

// Values under these keys never reach the log, at the top level or one
// object down (`{ user: { password } }`), plus the usual HTTP headers.
const secretKeys = ['password', 'token', 'secret', 'secrets', 'apiKey', 'authorization', 'cookie', 'smtpUrl']
const redactPaths = [
  ...secretKeys,
  ...secretKeys.map((key) => `*.${key}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
]

/**
 * JSON lines on stdout; pretty lines when a person watches a terminal and
 * pino-pretty is installed. `destination` replaces stdout (benchmarks).
 */
export function createLogger(env: Pick<Env, 'LOG_LEVEL'>, name?: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: env.LOG_LEVEL,
    redact: { paths: redactPaths, censor: '[redacted]' },
    ...(name ? { name } : {}),
  }
  if (destination) return pino(options, destination)
  if (process.stdout.isTTY && hasPinoPretty()) {
    // One line an event, as a person reads a terminal; JSON everywhere else.
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', singleLine: true, ignore: 'pid,hostname' } },
    })
  }
  return pino(options)
}

function hasPinoPretty(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty')
    return true
  } catch {
    return false
  }
}
