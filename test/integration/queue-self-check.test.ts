import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JourneySpec } from '../../src/queue/jobs.ts'
import { canConnect, defaultProbes, workerLooksOffline } from '../../src/queue/self-check.ts'

describe('self-check against real sockets', () => {
  let open: Server
  let openPort: number
  let closedPort: number

  beforeAll(async () => {
    open = createServer((socket) => socket.end())
    await new Promise<void>((resolve) => open.listen(0, '127.0.0.1', resolve))
    openPort = (open.address() as { port: number }).port
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    closedPort = (probe.address() as { port: number }).port
    await new Promise((resolve) => probe.close(resolve))
  })
  afterAll(() => new Promise((resolve) => open.close(resolve)))

  it('canConnect tells a listening port from a closed one', async () => {
    expect(await canConnect('127.0.0.1', openPort, 1000)).toBe(true)
    expect(await canConnect('127.0.0.1', closedPort, 1000)).toBe(false)
  })

  it('a code check with no answering probe looks offline; with one answering it does not', async () => {
    const check = { journey: null, checkFile: 'order.check.ts' } as JourneySpec
    expect(await workerLooksOffline(check, { probes: [`127.0.0.1:${closedPort}`], timeoutMs: 1000 })).toBe(true)
    expect(
      await workerLooksOffline(check, { probes: [`127.0.0.1:${closedPort}`, `127.0.0.1:${openPort}`], timeoutMs: 1000 }),
    ).toBe(false)
  })

  it('a refusing loopback target is the site being down, never the worker', async () => {
    const local = { journey: `go to http://127.0.0.1:${closedPort}/`, checkFile: null } as JourneySpec
    expect(await workerLooksOffline(local, { probes: [`127.0.0.1:${closedPort}`], timeoutMs: 1000 })).toBe(false)
  })

  it('default probes leave out loopback servers', () => {
    expect(defaultProbes([{ host: '127.0.0.1', port: 6379 }]).every((p) => !p.startsWith('127.'))).toBe(true)
    expect(defaultProbes([{ host: 'redis.internal', port: 6380 }])).toContain('redis.internal:6380')
    // A cluster's nodes: each one a probe.
    expect(defaultProbes([{ host: '10.0.0.11', port: 6379 }, { host: 'fd00::12', port: 6379 }])).toEqual(expect.arrayContaining(['10.0.0.11:6379', '[fd00::12]:6379']))
  })
})
