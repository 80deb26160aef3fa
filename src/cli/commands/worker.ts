import { bootRuntime } from '../../app/runtime.ts'
import { composeJourneyWorker } from '../../app/journey-worker.ts'

/** `kept worker`: a journey worker; Redis and a browser, never the database. */
export async function workerCommand(opts: { concurrency?: number }): Promise<void> {
  const rt = await bootRuntime('kept-worker')
  try {
    await composeJourneyWorker(rt, opts.concurrency ? { concurrency: opts.concurrency } : {})
  } catch (error) {
    await rt.lifecycle.stop('start failed')
    throw error
  }
}
