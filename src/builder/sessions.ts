import { randomUUID } from 'node:crypto'
import { parseJourney, formatParseError } from '../domain/journey/parse.ts'
import type { RunValueSettings } from '../domain/journey/run-values.ts'
import type { TargetPolicy } from '../domain/target-policy.ts'
import type { Logger } from '../infra/logger.ts'
import { BrowserLaunchError, type BrowserPool } from '../runner/browser-pool.ts'
import { startAddressProblem } from '../services/claim-discovery.ts'
import { BuilderSession, type StepOutcome } from './session.ts'

// The journey builder's sessions, held in the control plane's process (see
// docs/ARCHITECTURE.md, "Build by clicking"): at most `maxSessions` at
// once, each closed after `idleMs` without an action and after `maxMs` in
// all, and only ever seen by the person who opened it. One action at a
// time per session: a second one while a step is walked is refused.

export interface BuilderSettings {
  maxSessions: number
  idleMs: number
  maxMs: number
  /** The longest one step may take (a walk's default: the whole walk's 60 s; here 30 s). */
  stepMs: number
}

export interface BuilderDeps {
  /** null: no Chromium on this machine. */
  pool: BrowserPool | null
  policy: TargetPolicy
  /** Every secret, decrypted, by name. */
  loadSecrets: () => Promise<Record<string, string>>
  settings: BuilderSettings
  runValues?: RunValueSettings
  logger?: Logger
}

/** A request field at fault (422). */
export class BuilderInputError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message)
    this.name = 'BuilderInputError'
  }
}

/** 404, 409, 429 or 503: the session is gone, busy, too many are open, or no browser. */
export class BuilderStateError extends Error {
  constructor(
    readonly status: 404 | 409 | 429 | 503,
    message: string,
  ) {
    super(message)
    this.name = 'BuilderStateError'
  }
}

interface Held {
  session: BuilderSession
  owner: string
  busy: boolean
  idle: NodeJS.Timeout
  end: NodeJS.Timeout
}

export interface Opened extends StepOutcome {
  id: string
  expiresAt: string
  idleSeconds: number
}

export class BuilderSessions {
  private readonly held = new Map<string, Held>()
  /** Sessions being opened: they count against the limit already. */
  private opening = 0
  private closed = false

  constructor(private readonly deps: BuilderDeps) {}

  get open(): number {
    return this.held.size + this.opening
  }

  /**
   * A new session on `url` (its first step, `go to <url>`), or walking
   * `journey` (the steps written so far) to where they end.
   */
  async start(owner: string, request: { url?: string; journey?: string }): Promise<Opened> {
    const { settings, pool } = this.deps
    const text = request.journey?.trim() ? request.journey : request.url !== undefined ? `go to ${request.url}` : null
    if (text === null) throw new BuilderInputError('url', 'expected the address of the page to start on, like https://shop.example.com')
    if (!request.journey?.trim()) {
      const problem = await startAddressProblem(request.url!, this.deps.policy)
      if (problem) throw new BuilderInputError('url', problem)
    }
    const parsed = parseJourney(text)
    if (!parsed.ok) throw new BuilderInputError(request.journey ? 'journey' : 'url', parsed.errors.map(formatParseError).join('; '))
    const first = parsed.journey.steps[0]
    if (!first || first.kind !== 'goto') throw new BuilderInputError('journey', 'expected the journey to start with go to and an address')
    if (request.journey && /\{\{\s*(secrets|run)\./.test(first.url)) throw new BuilderInputError('journey', 'expected the first address without {{…}}')
    const problem = await startAddressProblem(first.url, this.deps.policy)
    if (problem) throw new BuilderInputError(request.journey ? 'journey' : 'url', problem)
    if (this.closed || !pool) throw new BuilderStateError(503, 'the journey builder needs Chromium on the machine that runs the API (KEPT_CHROMIUM_PATH)')
    if (settings.maxSessions === 0) throw new BuilderStateError(503, 'the journey builder is turned off (KEPT_BUILDER_SESSIONS=0)')
    if (this.open >= settings.maxSessions) {
      throw new BuilderStateError(
        429,
        `${settings.maxSessions} builder ${settings.maxSessions === 1 ? 'session is' : 'sessions are'} open, the most at once (KEPT_BUILDER_SESSIONS): close one with "Done", or wait until one ends (after ${Math.round(settings.idleMs / 1000)} s idle)`,
      )
    }
    this.opening += 1
    const id = randomUUID()
    let session: BuilderSession | null = null
    try {
      const secrets = await this.deps.loadSecrets()
      session = await BuilderSession.open(pool, { id, policy: this.deps.policy, secrets, stepMs: settings.stepMs, ...(this.deps.runValues ? { runValues: this.deps.runValues } : {}) })
      const outcome = await session.walkText(text)
      if (!outcome.ok) {
        await session.close()
        throw new BuilderInputError(request.journey ? 'journey' : 'url', outcome.error ?? 'the page did not open')
      }
      const held: Held = {
        session,
        owner,
        busy: false,
        idle: this.timer(id, settings.idleMs, 'idle'),
        end: this.timer(id, settings.maxMs, 'lifetime'),
      }
      this.held.set(id, held)
      this.deps.logger?.info({ builderSession: id }, 'builder session opened')
      return { ...outcome, id, expiresAt: new Date(Date.now() + settings.maxMs).toISOString(), idleSeconds: Math.round(settings.idleMs / 1000) }
    } catch (error) {
      if (session && !this.held.has(id)) await session.close()
      if (error instanceof BrowserLaunchError) throw new BuilderStateError(503, `the journey builder's browser did not start: ${error.message}`)
      throw error
    } finally {
      this.opening -= 1
    }
  }

  /** Runs `fn` on the owner's session `id`, one action at a time. */
  async act<T>(owner: string, id: string, fn: (session: BuilderSession) => Promise<T>): Promise<T> {
    const held = this.held.get(id)
    if (!held || held.owner !== owner) throw gone(id)
    if (held.busy) throw new BuilderStateError(409, 'the builder is still walking the last step: wait for its picture')
    held.busy = true
    held.idle.refresh()
    try {
      return await fn(held.session)
    } finally {
      held.busy = false
      held.idle.refresh()
    }
  }

  async close(owner: string, id: string): Promise<void> {
    const held = this.held.get(id)
    if (!held || held.owner !== owner) throw gone(id)
    await this.end(id)
  }

  /** Every session closed, and no new one (the process stops). */
  async closeAll(): Promise<void> {
    this.closed = true
    await Promise.all([...this.held.keys()].map((id) => this.end(id)))
    await this.deps.pool?.close()
  }

  private timer(id: string, ms: number, why: 'idle' | 'lifetime'): NodeJS.Timeout {
    const timer: NodeJS.Timeout = setTimeout(() => {
      // A step still being walked is no idleness: look again when it is done.
      if (why === 'idle' && this.held.get(id)?.busy) return void timer.refresh()
      this.deps.logger?.info({ builderSession: id, why }, 'builder session ended')
      void this.end(id)
    }, ms).unref()
    return timer
  }

  private async end(id: string): Promise<void> {
    const held = this.held.get(id)
    if (!held) return
    this.held.delete(id)
    clearTimeout(held.idle)
    clearTimeout(held.end)
    await held.session.close()
  }
}

function gone(id: string): BuilderStateError {
  return new BuilderStateError(404, `no builder session ${id}: it ended (idle too long, or open too long) or was never yours; open a new one`)
}
