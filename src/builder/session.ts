import type { BrowserContext, Page } from 'playwright-core'
import type { Step, StepSpec } from '../domain/journey/ast.ts'
import { parseJourney, formatParseError } from '../domain/journey/parse.ts'
import { quote, renderStep } from '../domain/journey/render.ts'
import { runValues, type RunValueSettings } from '../domain/journey/run-values.ts'
import { maskSecrets } from '../domain/mask.ts'
import type { TargetPolicy } from '../domain/target-policy.ts'
import type { BrowserPool } from '../runner/browser-pool.ts'
import { TYPED_FIELDS } from '../runner/evidence.ts'
import { instrumentContext, type Instruments } from '../runner/instruments.ts'
import { blockedMessage, openNetworkGuard, type BlockedRequest, type NetworkGuard } from '../runner/network-guard.ts'
import { secretVariants } from '../runner/secrets.ts'
import { performStep } from '../runner/steps.ts'
import { describeError, withDeadline } from '../runner/walk.ts'
import type { TargetAction } from '../runner/targets.ts'
import { nameOf, pointAt, type Pointed } from './naming.ts'

// One "Build by clicking" session: a browser context of Kept's own Chromium
// on the site, behind the same network guard as a walk, its clicks counted
// by the same instruments. Each step the owner points at is named
// (naming.ts), then walked here with the runner's performStep, so a step is
// written only once it worked. Secret values never leave: a typed value
// equal to a secret is written as {{secrets.NAME}}, every answer is masked,
// and once a secret was typed the screenshots paint over the typed fields.

export const VIEWPORT = { width: 1280, height: 800 }

export interface SessionOptions {
  id: string
  policy: TargetPolicy
  /** Decrypted secrets by name. */
  secrets: Record<string, string>
  /** The longest a step may take. */
  stepMs: number
  runValues?: RunValueSettings
}

/** What a step did, for the form: its words (null when none was written), or why it failed. */
export interface StepOutcome {
  ok: boolean
  step: string | null
  error: string | null
  /** What the click landed on when it was a field: the form asks what to type. */
  field?: { name: string; kind: 'fill' | 'select' }
  clicks: number
  durationMs: number
  totalClicks: number
  url: string
  screenshot: string
}

export class BuilderSession {
  private instruments!: Instruments
  private page!: Page
  private lastBlocked: BlockedRequest | null = null
  private readonly forms: string[]
  private typedSecret = false
  readonly startedAt = new Date()

  private constructor(
    private readonly options: SessionOptions,
    private readonly context: BrowserContext,
    private readonly guard: NetworkGuard,
  ) {
    this.forms = secretVariants(Object.values(options.secrets))
  }

  static async open(pool: BrowserPool, options: SessionOptions): Promise<BuilderSession> {
    const guard = await openNetworkGuard(options.policy)
    let context: BrowserContext | null = null
    try {
      context = await pool.newContext({ viewport: VIEWPORT, proxy: guard.proxy })
      const session = new BuilderSession(options, context, guard)
      session.instruments = await instrumentContext(context)
      await guard.attach(context)
      session.page = await context.newPage()
      // A link that opens a new tab: the journey goes on there, as on a walk.
      context.on('page', (tab) => {
        session.page = tab
        tab.on('close', () => {
          if (session.page === tab) session.page = context!.pages()[0] ?? tab
        })
      })
      context.setDefaultTimeout(options.stepMs)
      return session
    } catch (error) {
      await context?.close().catch(() => {})
      await guard.close()
      throw error
    }
  }

  get clicks(): number {
    return this.instruments.clicks()
  }

  /** Walks a step written by hand (the journey so far, `go to …`): its outcome, the step as written. */
  async walkText(text: string): Promise<StepOutcome> {
    const parsed = parseJourney(text)
    if (!parsed.ok) return this.outcome({ ok: false, step: null, error: parsed.errors.map(formatParseError).join('; '), clicks: 0, durationMs: 0 })
    let clicks = 0
    let durationMs = 0
    for (const step of parsed.journey.steps) {
      const walked = await this.walk(step)
      clicks += walked.clicks
      durationMs += walked.durationMs
      if (walked.error) return this.outcome({ ok: false, step: null, error: `line ${step.line}, ${step.text}: ${walked.error}`, clicks, durationMs })
    }
    return this.outcome({ ok: true, step: text, error: null, clicks, durationMs })
  }

  /** A click at (x, y) of the viewport: the clickable element there, named and clicked (checked, for a checkbox). */
  async click(x: number, y: number): Promise<StepOutcome> {
    const pointed = await pointAt(this.page, x, y, 'click')
    const { info } = pointed
    const which = await this.named(pointed, info.kind === 'check' || info.kind === 'uncheck' ? 'check' : 'click')
    if (info.kind === 'field') {
      const name = info.names[0] ?? ''
      return this.outcome({ ok: true, step: null, error: null, clicks: 0, durationMs: 0, field: { name, kind: info.list ? 'select' : 'fill' } })
    }
    if (info.kind === 'frame') return this.refuse('that is inside a frame: the builder points at the page itself; write this step by hand')
    if (!pointed.element || info.kind === 'none') return this.refuse('nothing there to click: no button, link or short text at that point')
    if (!which) return this.refuse(unnamed(info.names))
    const spec: StepSpec = info.kind === 'check' || info.kind === 'uncheck' ? { kind: info.kind, ...which } : { kind: 'click', ...which }
    return this.add(spec)
  }

  /** Typing `value` into the field at (x, y) (choosing it, in a list). */
  async fill(x: number, y: number, value: string, press?: string): Promise<StepOutcome> {
    const pointed = await pointAt(this.page, x, y, 'fill')
    if (pointed.info.kind === 'frame') return this.refuse('that field is inside a frame: write this step by hand')
    if (!pointed.element || pointed.info.kind === 'none') return this.refuse('no field there to type into')
    const select = pointed.info.kind === 'select'
    const which = await this.named(pointed, select ? 'select' : 'fill')
    if (!which) return this.refuse(unnamed(pointed.info.names))
    const written = this.asSecret(value)
    const spec: StepSpec = select
      ? { kind: 'select', option: written, ...which }
      : { kind: 'fill', value: written, ...which, ...(press ? { press } : {}) }
    if (/\{\{\s*secrets\./.test(written)) this.typedSecret = true
    return this.add(spec)
  }

  /** `expect` the text shown at (x, y), or a text the owner gave. */
  async expect(at: { x: number; y: number } | { text: string }): Promise<StepOutcome> {
    let text: string
    if ('text' in at) text = at.text.replace(/\s+/g, ' ').trim()
    else {
      const pointed = await pointAt(this.page, at.x, at.y, 'text')
      if (pointed.info.kind === 'frame') return this.refuse('that text is inside a frame: write this step by hand')
      text = pointed.info.text ?? ''
      void pointed.element?.dispose().catch(() => {})
    }
    if (!text) return this.refuse('no text there')
    return this.add({ kind: 'expectText', expected: this.asSecret(text) })
  }

  /** Scrolls the page as a person's wheel does (no step: a walk's clicks scroll to their target by themselves). */
  async scroll(dy: number): Promise<{ url: string; screenshot: string; totalClicks: number }> {
    await this.page.mouse.move(VIEWPORT.width / 2, VIEWPORT.height / 2).catch(() => {})
    await this.page.mouse.wheel(0, dy).catch(() => {})
    // The wheel's scroll is smooth: let it land before the picture.
    await this.page.waitForTimeout(250).catch(() => {})
    return this.look()
  }

  /** The page as it is now. */
  async look(): Promise<{ url: string; screenshot: string; totalClicks: number }> {
    return { url: this.page.url(), screenshot: await this.screenshot(), totalClicks: this.clicks }
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => {})
    await this.guard.close()
  }

  /** How a step names what was pointed at (null: no way finds exactly it); the element let go of after. */
  private async named(pointed: Pointed, action: TargetAction): Promise<Awaited<ReturnType<typeof nameOf>>> {
    try {
      const { kind } = pointed.info
      if (!pointed.element || kind === 'none' || kind === 'frame' || kind === 'field' || kind === 'text') return null
      return await nameOf(this.page, action, pointed)
    } finally {
      void pointed.element?.dispose().catch(() => {})
    }
  }

  /** Writes the step, walks it, and says how it went; a step that failed is not written. */
  private async add(spec: StepSpec): Promise<StepOutcome> {
    const text = renderStep(spec)
    // Read back by the parser: what is written is what a walk will read.
    // (A journey starts with go to: the step is read as the second line of one.)
    const parsed = parseJourney(`go to https://example.com/\n${text}`)
    if (!parsed.ok || parsed.journey.steps.length !== 2) return this.refuse(`Kept wrote a step it cannot read back: ${text}`)
    const walked = await this.walk({ ...parsed.journey.steps[1]!, line: 1 })
    return this.outcome({ ok: walked.error === null, step: walked.error === null ? text : null, error: walked.error, clicks: walked.clicks, durationMs: walked.durationMs, tried: text })
  }

  /** One step in this session's page, timed and its clicks counted, as a walk does. */
  private async walk(step: Step): Promise<{ error: string | null; clicks: number; durationMs: number }> {
    const before = this.clicks
    const began = performance.now()
    const deadline = Date.now() + this.options.stepMs
    let error: string | null = null
    try {
      await withDeadline(
        performStep(step, {
          page: this.page,
          touch: false,
          deadline,
          secrets: this.options.secrets,
          run: runValues(this.options.id, this.startedAt, this.options.runValues),
          documentStatus: () => null,
        }),
        deadline,
        () => `the step took longer than ${Math.round(this.options.stepMs / 1000)} s, its time limit`,
      )
    } catch (thrown) {
      error = describeError(thrown)
    }
    const durationMs = Math.round(performance.now() - began)
    // The click reports travel before this answer (see Walk.flush).
    await withDeadline(this.page.title(), Date.now() + 2000, () => 'late').catch(() => {})
    const blocked = this.guard.blocked()
    if (blocked && blocked !== this.lastBlocked) {
      this.lastBlocked = blocked
      error = `Kept's target policy stopped the step: ${blockedMessage(blocked)}`
    }
    return { error, clicks: this.clicks - before, durationMs }
  }

  /** {{secrets.NAME}} wherever a text (typed, or read on the page) holds a secret's value: the journey names it, never says it. */
  private asSecret(value: string): string {
    const known = Object.entries(this.options.secrets)
      .filter(([, secret]) => secret.length > 0)
      .sort(([, a], [, b]) => b.length - a.length)
    let text = value
    for (const [name, secret] of known) text = text.split(secret).join(`{{secrets.${name}}}`)
    return text
  }

  private refuse(error: string): Promise<StepOutcome> {
    return this.outcome({ ok: false, step: null, error, clicks: 0, durationMs: 0 })
  }

  private async outcome(o: { ok: boolean; step: string | null; error: string | null; clicks: number; durationMs: number; field?: StepOutcome['field']; tried?: string }): Promise<StepOutcome> {
    const mask = (text: string | null) => (text === null ? null : maskSecrets(text, this.forms))
    const error = o.error !== null && o.tried ? `${o.tried}: ${o.error}` : o.error
    return {
      ok: o.ok,
      step: mask(o.step),
      error: mask(error),
      ...(o.field ? { field: { ...o.field, name: maskSecrets(o.field.name, this.forms) } } : {}),
      clicks: o.clicks,
      durationMs: o.durationMs,
      totalClicks: this.clicks,
      url: maskSecrets(this.page.url(), this.forms),
      screenshot: await this.screenshot(),
    }
  }

  /**
   * A JPEG of the viewport as a data: URL. Texts that show a secret are
   * painted over, as on a walk's screenshot; typed fields too once a secret
   * was typed (before that, the owner sees what she typed).
   */
  private async screenshot(): Promise<string> {
    const values = Object.values(this.options.secrets).filter((value) => value.trim().length > 0)
    const masks = this.page.frames().flatMap((frame) => [...(this.typedSecret ? [frame.locator(TYPED_FIELDS)] : []), ...values.map((value) => frame.getByText(value))])
    const picture = await this.page
      .screenshot({
        type: 'jpeg',
        quality: 70,
        timeout: 5000,
        ...(masks.length > 0 ? { mask: masks, maskColor: '#5f6b7a' } : {}),
      })
      .catch(() => null)
    return picture ? `data:image/jpeg;base64,${picture.toString('base64')}` : ''
  }
}

function unnamed(names: string[]): string {
  const said = names.length > 0 ? ` (it is called ${names.slice(0, 3).map(quote).join(', ')}, and each of those finds something else too)` : ''
  return `Kept cannot name that element so that a walk finds exactly it${said}; write the step by hand, or use its test id`
}
