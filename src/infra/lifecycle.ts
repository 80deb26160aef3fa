import type { Logger } from './logger.ts'

export interface LifecycleOptions {
  logger?: Logger
  /** The whole stop may take this long before the process is forced out (default 10 s). */
  timeoutMs?: number
  /** One hook may take this long before it is given up on (default 5 s). */
  hookTimeoutMs?: number
  /** How to leave the process; tests pass their own. */
  exit?: (code: number) => void
}

interface Hook {
  name: string
  fn: () => Promise<void>
}

/**
 * Orderly shutdown: hooks run in reverse registration order (what started
 * last stops first), each bounded, the whole stop bounded. A second signal
 * while stopping forces the exit.
 */
export class Lifecycle {
  private readonly hooks: Hook[] = []
  private stopping: Promise<void> | null = null
  private logger: Logger | undefined
  private readonly timeoutMs: number
  private readonly hookTimeoutMs: number
  private readonly exit: (code: number) => void

  constructor(options: LifecycleOptions = {}) {
    this.logger = options.logger
    this.timeoutMs = options.timeoutMs ?? 10_000
    this.hookTimeoutMs = options.hookTimeoutMs ?? 5_000
    this.exit = options.exit ?? ((code) => process.exit(code))
  }

  onStop(name: string, fn: () => Promise<void>): void {
    this.hooks.push({ name, fn })
  }

  get isStopping(): boolean {
    return this.stopping !== null
  }

  /** SIGINT/SIGTERM stop the process through the hooks. Returns a function that removes the handlers. */
  installSignalHandlers(logger: Logger): () => void {
    this.logger ??= logger
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.stopping) {
        logger.warn({ signal }, 'second signal while stopping: exiting now')
        this.exit(1)
        return
      }
      void this.stop(signal).then(() => this.exit(0))
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    return () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }

  /** Runs the stop hooks once; later calls get the same promise. */
  stop(reason = 'stop'): Promise<void> {
    this.stopping ??= this.runHooks(reason)
    return this.stopping
  }

  private async runHooks(reason: string): Promise<void> {
    this.logger?.info({ reason }, 'stopping')
    let timer: NodeJS.Timeout | undefined
    const overall = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs)
      timer.unref()
    })
    const all = (async () => {
      for (const hook of [...this.hooks].reverse()) await this.runHook(hook)
      return 'done' as const
    })()
    const outcome = await Promise.race([all, overall])
    clearTimeout(timer)
    if (outcome === 'timeout') {
      this.logger?.error({ timeoutMs: this.timeoutMs }, 'stop took too long: exiting now')
      this.exit(1)
      return
    }
    this.logger?.info('stopped')
  }

  private async runHook(hook: Hook): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.hookTimeoutMs)
      timer.unref()
    })
    try {
      const outcome = await Promise.race([hook.fn().then(() => 'done' as const), late])
      if (outcome === 'timeout') this.logger?.warn({ hook: hook.name, timeoutMs: this.hookTimeoutMs }, 'stop hook timed out')
    } catch (error) {
      this.logger?.error({ hook: hook.name, err: error }, 'stop hook failed')
    } finally {
      clearTimeout(timer)
    }
  }
}
