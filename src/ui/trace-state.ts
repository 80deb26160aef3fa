import type { EvidenceStore } from '../evidence/store.ts'

export type TraceState = 'ok' | 'missing' | 'damaged'

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04])

/** Whether a run's stored trace is there and is a zip (its first four bytes). */
export async function traceState(store: EvidenceStore, tracePath: string | null): Promise<TraceState> {
  if (!tracePath) return 'missing'
  const stored = await store.get(tracePath).catch(() => null)
  if (!stored) return 'missing'
  const head: Buffer[] = []
  let length = 0
  try {
    for await (const chunk of stored.body) {
      head.push(Buffer.from(chunk as Uint8Array))
      length += (chunk as Uint8Array).length
      if (length >= 4) break
    }
  } catch {
    return 'missing'
  } finally {
    stored.body.destroy()
  }
  return Buffer.concat(head).subarray(0, 4).equals(ZIP_MAGIC) ? 'ok' : 'damaged'
}
