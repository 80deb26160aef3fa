import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core'
import type { Logger } from '../infra/logger.ts'
import { CHROMIUM_ARGS } from './chromium-args.ts'
import { registerKeptEngine } from './engine.ts'

export interface BrowserPoolOptions {
  /** The Chromium binary (see resolveChromium); Playwright's default when unset. */
  executablePath?: string
  /**
   * How many fresh contexts (each with its first tab and network guard) to
   * keep ready for the next walks, made while the walks before them run
   * (a journey worker: 1; one-off walks: 0, the default, nothing unused).
   */
  prepareAhead?: number
  logger?: Logger
}

/** A fresh context made ready before its walk: used by exactly one walk, then closed. */
export interface Prepared {
  context: BrowserContext
  /** Closes what the context needs besides itself (its network guard). */
  dispose(): Promise<void>
}

/** Launching the browser failed: the monitor's own failure, never the site's. */
export class BrowserLaunchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'BrowserLaunchError'
  }
}

/**
 * One Chromium per worker process, shared by its journeys. Each run gets
 * its own BrowserContext (cookies and storage never leak between runs).
 * A browser that crashed or disconnected is launched again on next use.
 */
export class BrowserPool {
  private browser: Promise<Browser> | null = null
  private closed = false
  /** How many times a browser was launched (for logs and tests). */
  launches = 0
  /** Made ahead and not taken yet, by kind (device and target policy). */
  private readonly ready = new Map<string, Promise<Prepared | null>[]>()
  /** Contexts made ahead, not yet taken: not counted as open by openContexts(). */
  private readonly unused = new Set<BrowserContext>()

  constructor(private readonly options: BrowserPoolOptions = {}) {}

  /** The running browser, launched (again) when needed. */
  async acquire(): Promise<Browser> {
    if (this.closed) throw new BrowserLaunchError('the browser pool is closed')
    const pending = this.browser
    if (pending) {
      const current = await pending.catch(() => null)
      if (current?.isConnected()) return current
      // Another run noticed first and is launching a new one: share it.
      if (this.browser !== pending) return this.acquire()
    }
    const launching = this.launch()
    this.browser = launching
    // A failed launch is not kept: the next run tries again.
    launching.catch(() => {
      if (this.browser === launching) this.browser = null
    })
    return launching
  }

  /** A fresh context; the caller must close it (in a finally). */
  async newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    await registerKeptEngine()
    const browser = await this.acquire()
    return browser.newContext(options)
  }

  /**
   * A fresh context of `kind` for one walk: one made ready ahead when
   * there is one (and its browser is still up), else made now by `make`.
   * Then, with prepareAhead, the next one of the same kind is made while
   * this walk runs. Each is handed out once: nothing (cookies, storage,
   * cache) passes from one walk to another.
   */
  async takePrepared<T extends Prepared>(kind: string, make: () => Promise<T>): Promise<T> {
    const queue = this.ready.get(kind) ?? []
    let taken: T | null = null
    while (!taken && queue.length > 0) {
      const next = (await queue.shift()!) as T | null
      if (!next) continue
      this.unused.delete(next.context)
      if (next.context.browser()?.isConnected()) taken = next
      else await next.dispose().catch(() => {})
    }
    this.refill(kind, make)
    return taken ?? make()
  }

  /** Starts making contexts of `kind` until prepareAhead of them are ready or on their way. */
  private refill<T extends Prepared>(kind: string, make: () => Promise<T>): void {
    const ahead = this.options.prepareAhead ?? 0
    const queue = this.ready.get(kind) ?? []
    this.ready.set(kind, queue)
    while (!this.closed && queue.length < ahead) {
      const making: Promise<Prepared | null> = make().then(
        async (prepared) => {
          if (this.closed) {
            await prepared.dispose().catch(() => {})
            return null
          }
          this.unused.add(prepared.context)
          return prepared
        },
        (error: Error) => {
          this.options.logger?.debug({ error: error.message }, 'could not prepare a context ahead: the walk makes its own')
          return null
        },
      )
      queue.push(making)
    }
  }

  /** Resolves when the contexts being made ahead are ready (benchmarks count their cost). */
  async preparing(): Promise<void> {
    await Promise.all([...this.ready.values()].flat())
  }

  /** Contexts open right now and in use by a walk (tests check none leak); those made ahead are not counted. */
  async openContexts(): Promise<number> {
    const browser = this.browser ? await this.browser.catch(() => null) : null
    return browser?.isConnected() ? browser.contexts().filter((context) => !this.unused.has(context)).length : 0
  }

  async close(): Promise<void> {
    this.closed = true
    const ready = [...this.ready.values()].flat()
    this.ready.clear()
    await Promise.all(ready.map(async (making) => (await making)?.dispose().catch(() => {})))
    this.unused.clear()
    const browser = this.browser ? await this.browser.catch(() => null) : null
    this.browser = null
    await browser?.close().catch(() => {})
  }

  private async launch(): Promise<Browser> {
    const { executablePath, logger } = this.options
    try {
      const browser = await chromium.launch({
        ...(executablePath ? { executablePath } : {}),
        args: CHROMIUM_ARGS,
        timeout: 30_000,
        // Kept's own stop hooks close the browser, in their order. Playwright's
        // handlers would kill it on the signal and then exit(130) in the middle
        // of the stop, before the recorder, the database and Redis are closed.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      })
      this.launches += 1
      browser.on('disconnected', () => {
        if (!this.closed) logger?.warn({ executablePath }, 'browser disconnected: it will be launched again on the next run')
      })
      logger?.debug({ executablePath, version: browser.version() }, 'browser launched')
      return browser
    } catch (error) {
      throw new BrowserLaunchError(
        `cannot launch Chromium${executablePath ? ` at ${executablePath}` : ''}: ${(error as Error).message.split('\n')[0]}`,
        { cause: error },
      )
    }
  }
}
