/**
 * What the API needs from scheduling. Implemented in src/queue/scheduler.ts;
 * the API depends on this port only, so its tests can run without Redis.
 */
export interface PromiseScheduler {
  /** Make the promise's job scheduler match its row: upsert, or remove if paused. */
  sync(promiseId: string): Promise<void>
  /** Remove the promise's job scheduler (the promise was deleted). */
  remove(promiseId: string): Promise<void>
  /** Enqueue one run now, through the same path as scheduled runs; returns its run id. */
  runNow(promiseId: string): Promise<string>
}
