import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { closeServer } from '../../src/infra/close-server.ts'

// The baseline of an API read: bare node:http answering the same bytes from
// memory, gzipped when the request names gzip, with no routing, auth,
// logging or headers beyond the content's own.

export async function startBareHttp(json: Uint8Array): Promise<{ url: string; close(): Promise<void> }> {
  const plain = Buffer.from(json)
  const gzipped = gzipSync(plain)
  const server = http.createServer((req, res) => {
    const gzip = req.headers['accept-encoding']?.includes('gzip') === true
    const body = gzip ? gzipped : plain
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.byteLength, ...(gzip ? { 'content-encoding': 'gzip' } : {}) })
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => closeServer(server),
  }
}
