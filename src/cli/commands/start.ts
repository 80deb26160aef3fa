import { bootRuntime } from '../../app/runtime.ts'
import { startControlPlane } from '../../app/control-plane.ts'

/** `kept start` (with a worker) and `kept api` (without). */
export async function startCommand(opts: { worker: boolean; demo: boolean }): Promise<void> {
  const rt = await bootRuntime(opts.worker ? 'kept' : 'kept-api')
  try {
    await startControlPlane(rt, { worker: opts.worker, demo: opts.demo && rt.env.KEPT_DEMO })
  } catch (error) {
    await rt.lifecycle.stop('start failed')
    throw error
  }
}
