import type { Worker } from 'bullmq'

/**
 * Closes a worker once: its active jobs may finish within `graceMs`; then
 * it is forced, their locks lapse and another worker's stalled check takes
 * them back. `onLate` says so.
 */
export function gracefulClose(worker: Worker, graceMs: number, onLate: () => void): () => Promise<void> {
  let closing: Promise<void> | null = null
  return () =>
    (closing ??= (async () => {
      const grace = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref())
      if ((await Promise.race([worker.close().then(() => 'done' as const), grace])) === 'late') {
        onLate()
        await worker.close(true)
      }
    })())
}
