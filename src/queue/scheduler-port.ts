/**
 * What the API needs from scheduling. Implemented in src/queue/scheduler.ts;
 * the API depends on this port only, so its tests can run without Redis.
 */
export interface PromiseScheduler {
  /**
   * Make the promise's job scheduler match its row: upsert, or remove if
   * paused. With walkNow (src/domain/walk-now.ts), also walk it at once.
   */
  sync(promiseId: string, options?: { walkNow?: boolean }): Promise<void>
  /** Remove the promise's job scheduler (the promise was deleted). */
  remove(promiseId: string): Promise<void>
  /** Enqueue one run now, through the same path as scheduled runs; returns its run id. */
  runNow(promiseId: string): Promise<string>
  /** The run id of a walk asked for and maybe not recorded yet (queued or running), else null. */
  walking?(promiseId: string): Promise<string | null>
  /** When the schedule walks it next, else null (paused, or no schedule). */
  nextWalkAt?(promiseId: string): Promise<Date | null>
}
