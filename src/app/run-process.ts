import { bootRuntime, type Runtime } from './runtime.ts'

/**
 * A part of Kept as its own process (workers/*.ts): boot the runtime, start
 * the part, and on a failed start say why, run the stop hooks and exit 1.
 */
export async function runProcess(name: string, start: (rt: Runtime) => Promise<unknown>): Promise<void> {
  const rt = await bootRuntime(name)
  try {
    await start(rt)
  } catch (error) {
    rt.logger.fatal({ err: error }, `${name} failed to start`)
    await rt.lifecycle.stop('start failed')
    process.exit(1)
  }
}
