import type { Worker } from 'bullmq'

/**
 * Closes a worker once: its active jobs may finish within `graceMs`; then
 * `late` runs (hand them back, say so) and close returns without waiting
 * for the cut jobs, which end when the browser closes (the next stop hook).
 * BullMQ's close, which takes no new job, goes on meanwhile. (close(true)
 * would not help: once closing, BullMQ returns the same promise.)
 */
export function gracefulClose(worker: Worker, graceMs: number, late: () => Promise<void> | void, onError?: (error: unknown) => void): () => Promise<void> {
  let closing: Promise<void> | null = null
  return () =>
    (closing ??= (async () => {
      const closed = worker.close()
      const grace = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref())
      if ((await Promise.race([closed.then(() => 'done' as const), grace])) === 'late') {
        await late()
        closed.catch((error: unknown) => onError?.(error))
      }
    })())
}
