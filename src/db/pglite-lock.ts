import { randomBytes } from 'node:crypto'
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { unlinkSync } from 'node:fs'

// PGlite lets one process at a time open a data directory. The process
// that opens it holds `<dataDir>/pgdata.lock`; others read the lock to find
// the socket the holder shares the database on.

export interface LockInfo {
  pid: number
  /** The Unix socket the holder serves the database on; null while it has none. */
  socket: string | null
}

export interface HeldLock {
  /** Records the socket once the holder listens on it. */
  publish(socket: string): Promise<void>
  release(): Promise<void>
}

/** Takes the lock, or returns who holds it. A lock whose process is gone is taken over. */
export async function acquireLock(file: string): Promise<HeldLock | LockInfo> {
  for (;;) {
    const mine: LockInfo = { pid: process.pid, socket: null }
    if (await createExclusive(file, mine)) return held(file)
    const holder = await readLock(file)
    if (holder && isAlive(holder.pid)) return holder
    if (holder === undefined) continue // released meanwhile: try again
    // Stale (holder died) or unreadable: take it over, unless it changed under us.
    const again = await readLock(file)
    if (JSON.stringify(again) === JSON.stringify(holder)) await unlink(file).catch(() => {})
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The lock's content; null when unreadable, undefined when there is no lock. */
export async function readLock(file: string): Promise<LockInfo | null | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  try {
    const value = JSON.parse(text) as Partial<LockInfo>
    if (typeof value.pid !== 'number') return null
    return { pid: value.pid, socket: typeof value.socket === 'string' ? value.socket : null }
  } catch {
    return null
  }
}

// Written in full to a temp file, then hard-linked into place: the lock
// appears atomically, complete, and only if none exists.
async function createExclusive(file: string, info: LockInfo): Promise<boolean> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
  await writeFile(temp, JSON.stringify(info), { mode: 0o600 })
  try {
    await link(temp, file)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    await unlink(temp).catch(() => {})
  }
}

function held(file: string): HeldLock {
  // A process that exits without release() leaves no lock behind.
  const onExit = () => {
    try {
      unlinkSync(file)
    } catch {}
  }
  process.on('exit', onExit)
  return {
    async publish(socket) {
      const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
      await writeFile(temp, JSON.stringify({ pid: process.pid, socket } satisfies LockInfo), { mode: 0o600 })
      await rename(temp, file)
    },
    async release() {
      process.off('exit', onExit)
      const current = await readLock(file)
      if (current?.pid === process.pid) await unlink(file).catch(() => {})
    },
  }
}
