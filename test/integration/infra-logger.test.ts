import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)

describe('createLogger', () => {
  it('writes JSON lines when stdout is not a terminal, with secrets redacted', async () => {
    const script = `
      const { createLogger } = await import(${JSON.stringify(path.resolve('src/infra/logger.ts'))})
      const logger = createLogger({ LOG_LEVEL: 'info' }, 'kept-test')
      logger.debug('not shown at info')
      logger.info({ password: 'hunter2', channel: { token: 'xoxb-1', name: 'ops' }, req: { headers: { authorization: 'Bearer abc' } } }, 'hello')
    `
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000 })
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      name: 'kept-test',
      msg: 'hello',
      password: '[redacted]',
      channel: { token: '[redacted]', name: 'ops' },
      req: { headers: { authorization: '[redacted]' } },
    })
    expect(stdout).not.toMatch(/hunter2|xoxb-1|Bearer abc/)
  })
})
