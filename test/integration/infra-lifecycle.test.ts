import { describe, expect, it } from 'vitest'
import { Lifecycle } from '../../src/infra/lifecycle.ts'
import { createLogger } from '../../src/infra/logger.ts'

const never = () => new Promise<void>(() => {})

describe('Lifecycle', () => {
  it('runs stop hooks once, in reverse registration order, past a failing one', async () => {
    const calls: string[] = []
    const exits: number[] = []
    const lifecycle = new Lifecycle({ exit: (code) => exits.push(code) })
    lifecycle.onStop('database', async () => void calls.push('database'))
    lifecycle.onStop('queue', async () => {
      calls.push('queue')
      throw new Error('already closed')
    })
    lifecycle.onStop('http', async () => void calls.push('http'))

    await Promise.all([lifecycle.stop('test'), lifecycle.stop('again')])
    expect(calls).toEqual(['http', 'queue', 'database'])
    expect(exits).toEqual([])
  })

  /** A hook that hangs, stopped first, and one that records after it, under these bounds: what ran and how it exited. */
  async function stopPastAHang(bounds: { hookTimeoutMs: number; timeoutMs: number }) {
    const calls: string[] = []
    const exits: number[] = []
    const lifecycle = new Lifecycle({ ...bounds, exit: (code) => exits.push(code) })
    lifecycle.onStop('records', async () => void calls.push('records'))
    lifecycle.onStop('hangs', never)
    await lifecycle.stop()
    return { calls, exits }
  }

  it('gives up on a hook that hangs and goes on with the next', async () => {
    expect(await stopPastAHang({ hookTimeoutMs: 50, timeoutMs: 5_000 })).toEqual({ calls: ['records'], exits: [] })
  })

  it('forces exit 1 when the whole stop outlasts its bound', async () => {
    expect(await stopPastAHang({ hookTimeoutMs: 5_000, timeoutMs: 50 })).toEqual({ calls: [], exits: [1] })
  })

  it('stops on SIGTERM and exits 0; a second signal while stopping exits 1 at once', async () => {
    const exits: number[] = []
    let release = () => {}
    const lifecycle = new Lifecycle({ exit: (code) => exits.push(code) })
    lifecycle.onStop('slow', () => new Promise<void>((resolve) => (release = resolve)))
    const uninstall = lifecycle.installSignalHandlers(createLogger({ LOG_LEVEL: 'silent' }))
    try {
      process.emit('SIGTERM', 'SIGTERM')
      expect(lifecycle.isStopping).toBe(true)
      process.emit('SIGINT', 'SIGINT')
      expect(exits).toEqual([1])
      release()
      await lifecycle.stop()
      await new Promise((resolve) => setImmediate(resolve))
      expect(exits).toEqual([1, 0])
    } finally {
      uninstall()
    }
  })
})
