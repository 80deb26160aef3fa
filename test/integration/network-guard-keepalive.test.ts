import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAllowedTargets } from '../../src/domain/target-policy.ts'
import { openNetworkGuard, type NetworkGuard } from '../../src/runner/network-guard.ts'

// The guard reuses its upstream connections within a walk (keep-alive, as
// a browser does). A single-page app asks the same site many times: each
// request must not add another listener to the one reused socket (Swag
// Labs: "MaxListenersExceededWarning: 11 close listeners added to [Socket]").

describe('the network guard on a site asked many times', () => {
  let site: http.Server
  let guard: NetworkGuard
  const connections: unknown[] = []

  beforeAll(async () => {
    site = http.createServer((_req, res) => res.end('ok'))
    site.on('connection', (socket) => connections.push(socket))
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve))
    guard = await openNetworkGuard(parseAllowedTargets(''))
  })
  afterAll(async () => {
    await guard?.close()
    site?.close()
  })

  it('reuses one upstream connection for 30 requests and warns of no listener leak', async () => {
    const warnings: Error[] = []
    const onWarning = (warning: Error) => void warnings.push(warning)
    process.on('warning', onWarning)
    const proxy = new URL(guard.proxy.server)
    const toProxy = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const target = `http://127.0.0.1:${(site.address() as AddressInfo).port}/api/items`
    try {
      for (let i = 0; i < 30; i++) {
        const body = await new Promise<string>((resolve, reject) => {
          http
            .get({ host: proxy.hostname, port: Number(proxy.port), path: target, agent: toProxy, headers: { host: new URL(target).host } }, (res) => {
              let text = ''
              res.on('data', (chunk) => (text += chunk))
              res.on('end', () => resolve(text))
            })
            .on('error', reject)
        })
        expect(body).toBe('ok')
      }
      await new Promise((resolve) => setImmediate(resolve))
      expect(connections).toHaveLength(1)
      expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([])
    } finally {
      process.off('warning', onWarning)
      toProxy.destroy()
    }
  })
})
