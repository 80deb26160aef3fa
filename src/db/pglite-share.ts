import { chmod, mkdtemp, rm, unlink } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { PGlite } from '@electric-sql/pglite'

// Shares one PGlite with other processes over a Unix socket, speaking the
// Postgres wire protocol. PGlite is a single session, so each connection
// takes the whole session from its first message until the backend is idle
// again (after a simple Query or a Sync, outside a transaction block): a
// transaction of one client never interleaves with another's statements.
//
// The gate is PGlite's own transaction mutex, the one its query() and
// transaction() take in this process, so in-process work and socket
// clients exclude each other too. (@electric-sql/pglite-socket 0.2.17
// multiplexes per message under the query mutex only: another client's
// statement can land inside an open transaction, and extended-protocol
// messages of two clients can interleave. Hence this small server.)

const SSL_REQUEST = 80877103
const GSSENC_REQUEST = 80877104
const CANCEL_REQUEST = 80877102
const PROTOCOL_3 = 196608
// sockaddr_un.sun_path is 108 bytes on Linux, 104 on macOS.
const MAX_SOCKET_PATH = 100

export interface PgliteShare {
  /** The Unix socket to give postgres.js as `path`. */
  socketPath: string
  stop(): Promise<void>
}

/** Serves `pglite` on a Unix socket at `preferredPath` (or a private temp dir when that path is too long). */
export async function sharePglite(pglite: PGlite, preferredPath: string): Promise<PgliteShare> {
  let socketPath = preferredPath
  let tempDir: string | null = null
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    tempDir = await mkdtemp(path.join(os.tmpdir(), 'kept-'))
    socketPath = path.join(tempDir, 'pglite.sock')
  }
  // We hold the data-dir lock, so a socket file left here is stale.
  await unlink(socketPath).catch(() => {})

  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    serveConnection(pglite, socket)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(socketPath, () => {
      server.off('error', reject)
      resolve()
    })
  })
  await chmod(socketPath, 0o600)

  return {
    socketPath,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      await closed
      if (tempDir) await rm(tempDir, { recursive: true, force: true })
    },
  }
}

function serveConnection(pglite: PGlite, socket: Socket): void {
  let buffered = Buffer.alloc(0)
  let started = false
  let closed = false
  let releaseSession: (() => void) | null = null
  let work = Promise.resolve()

  const acquireSession = async () => {
    if (releaseSession) return
    await new Promise<void>((acquired) => {
      void pglite._runExclusiveTransaction(
        () =>
          new Promise<void>((release) => {
            releaseSession = release
            acquired()
          }),
      )
    })
  }
  const release = () => {
    releaseSession?.()
    releaseSession = null
  }
  const run = (message: Uint8Array) =>
    pglite.runExclusive(() =>
      pglite.execProtocolRawStream(message, {
        onRawData: (data) => {
          if (!closed) socket.write(Buffer.from(data))
        },
      }),
    )

  const handle = async (message: Buffer, type: string | null) => {
    if (closed) return
    if (type === 'X') {
      socket.end()
      return
    }
    await acquireSession()
    await run(message)
    // Idle again after a simple query or a Sync, unless a transaction is open.
    if ((type === null || type === 'Q' || type === 'S') && !pglite.isInTransaction()) release()
  }

  // A client that leaves mid-way must not leave the session half-used.
  const cleanUp = async () => {
    if (!releaseSession) return
    try {
      if (!pglite.closed) {
        await pglite.runExclusive(async () => {
          await pglite.execProtocolRaw(syncMessage())
          if (pglite.isInTransaction()) await pglite.execProtocolRaw(queryMessage('ROLLBACK'))
        })
      }
    } finally {
      release()
    }
  }

  const enqueue = (message: Buffer, type: string | null) => {
    work = work.then(() => handle(message, type)).catch(() => {
      socket.destroy()
    })
  }

  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk])
    for (;;) {
      if (!started) {
        if (buffered.length < 8) return
        const length = buffered.readInt32BE(0)
        if (buffered.length < length) return
        const code = buffered.readInt32BE(4)
        const message = buffered.subarray(0, length)
        buffered = buffered.subarray(length)
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          socket.write('N') // no encryption on a local socket
        } else if (code === PROTOCOL_3) {
          started = true
          enqueue(message, null)
        } else {
          socket.destroy() // cancel requests and old protocols are not supported
          return
        }
      } else {
        if (buffered.length < 5) return
        const length = 1 + buffered.readInt32BE(1)
        if (buffered.length < length) return
        const type = String.fromCharCode(buffered[0]!)
        const message = buffered.subarray(0, length)
        buffered = buffered.subarray(length)
        enqueue(message, type)
      }
    }
  })
  socket.on('error', () => {})
  socket.on('close', () => {
    closed = true
    work = work.then(cleanUp, cleanUp)
  })
}

function syncMessage(): Uint8Array {
  return Uint8Array.from([0x53, 0, 0, 0, 4])
}

function queryMessage(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`)
  const message = Buffer.alloc(5 + text.length)
  message.write('Q', 0)
  message.writeInt32BE(4 + text.length, 1)
  text.copy(message, 5)
  return message
}
