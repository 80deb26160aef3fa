import { open } from 'node:fs/promises'
import path from 'node:path'

export type TraceState = 'ok' | 'missing' | 'damaged'

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04])

/** Whether a run's stored trace is there and is a zip (its first four bytes). */
export async function traceState(dataDir: string, tracePath: string | null): Promise<TraceState> {
  if (!tracePath) return 'missing'
  const dir = path.resolve(dataDir, 'evidence')
  const file = path.resolve(dir, tracePath)
  if (!file.startsWith(dir + path.sep)) return 'missing'
  const handle = await open(file, 'r').catch(() => null)
  if (!handle) return 'missing'
  try {
    const head = Buffer.alloc(4)
    const { bytesRead } = await handle.read(head, 0, 4, 0)
    return bytesRead === 4 && head.equals(ZIP_MAGIC) ? 'ok' : 'damaged'
  } finally {
    await handle.close()
  }
}
