import { Hono } from 'hono'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { requestLog } from '../../src/infra/request-log.ts'

// The request log writes one line a request through a child logger without
// redaction (its four fields hold no secret's key): the line must be the
// same as before, and the parent logger must still redact its own lines.

describe('requestLog', () => {
  it('writes method, path, status and time, at error level for a 5xx, and leaves the logger redacting', async () => {
    const lines: Record<string, unknown>[] = []
    const logger = pino({ level: 'info', redact: { paths: ['password', '*.token'], censor: '[redacted]' } }, { write: (line: string) => lines.push(JSON.parse(line)) })
    const app = new Hono()
    app.use(requestLog(logger))
    app.get('/ok', (c) => c.text('fine'))
    app.get('/boom', (c) => c.text('no', 503))
    await app.request('/ok?token=abc')
    await app.request('/boom')
    logger.info({ password: 'hunter2', channel: { token: 'xoxb-1' } }, 'other')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatchObject({ level: 30, method: 'GET', path: '/ok', status: 200, msg: 'request' })
    expect(typeof lines[0]!.ms).toBe('number')
    expect(Object.keys(lines[0]!).sort()).toEqual(['hostname', 'level', 'method', 'ms', 'msg', 'path', 'pid', 'status', 'time'])
    expect(lines[1]).toMatchObject({ level: 50, path: '/boom', status: 503 })
    expect(lines[2]).toMatchObject({ password: '[redacted]', channel: { token: '[redacted]' } })
  })
})
