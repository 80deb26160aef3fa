import type { BrowserContext, Page } from 'playwright-core'
import type { CheckDefinition } from '../check.ts'
import { recordsTrace } from '../domain/evidence.ts'
import type { Step } from '../domain/journey/ast.ts'
import type { RunValues } from '../domain/journey/run-values.ts'
import { maskSecrets } from '../domain/mask.ts'
import type { Failure, RunResult, StepResult, Vitals } from '../domain/run.ts'
import { judgeRun, type Verdict } from '../domain/verdict.ts'
import type { Claim } from '../domain/claims/extract.ts'
import { countA11yViolations } from './a11y.ts'
import { checkHelpers } from './check-helpers.ts'
import { ClaimReader } from './claim-reader.ts'
import { isTouch } from './devices.ts'
import { discardTrace, keepInDataDir, saveEvidence, startTrace, type Evidence } from './evidence.ts'
import { instrumentContext } from './instruments.ts'
import type { JourneySpec } from './journey-spec.ts'
import { blockedMessage, type NetworkGuard } from './network-guard.ts'
import type { RunJourneyOptions } from './run-journey.ts'
import { StepFailure } from './step-failure.ts'
import { performStep } from './steps.ts'
import type { TimeLimits } from './time-limits.ts'

// One walk of a promise in a browser context, as named steps a reader can
// follow (and a test can call): open (instruments, guard, trace, the first
// tab) → each step (timed, its clicks counted, the guard asked) → judge →
// evidence. run-journey.ts plans the walk and closes the context.

export interface WalkInput {
  spec: JourneySpec
  secrets: Record<string, string>
  /** {{run.id}}, {{run.email}}, {{today}}. */
  run: RunValues
  forms: string[]
  limits: TimeLimits
  options: RunJourneyOptions
}

export interface Measured {
  outcome: RunResult['outcome']
  clicks: number
  durationMs: number
  steps: StepResult[]
  failure: Failure | null
  failures: Failure[]
  vitals: Vitals
  evidence: Evidence
  /** Claims read on the walk's pages; absent when a page could not be read. */
  claims?: Claim[]
}

export const NO_EVIDENCE: Evidence = { screenshotPath: null, tracePath: null }

export function errorMeasure(message: string, partial: Partial<Measured> = {}): Measured {
  return {
    outcome: 'error',
    clicks: 0,
    durationMs: 0,
    steps: [],
    vitals: {},
    evidence: NO_EVIDENCE,
    ...partial,
    failure: { kind: 'error', message },
    failures: [{ kind: 'error', message }],
  }
}


type Instruments = Awaited<ReturnType<typeof instrumentContext>>

export class Walk {
  readonly steps: StepResult[] = []
  readonly vitals: Vitals = {}
  /** The page evidence is taken of: the tab the journey looked at last. */
  page: Page | null = null
  durationMs = 0
  private readonly traced: boolean
  private instruments!: Instruments
  private firstPage!: Page
  /** The page the journey looks at: a link that opens a new tab moves a person (and a journey in words) to it; closing it, back. */
  private livePage!: Page
  private openedTab: Page | null = null
  private readonly statuses = new WeakMap<Page, number>()
  private crashed = false
  private monitorError: string | null = null
  private overheadMs = 0
  private readonly audited = new Set<string>()
  /** What the site says on the walk's pages (claim drift). */
  readonly claimReader = new ClaimReader()
  private walkStart = 0
  private runDeadline = 0
  private over = false

  constructor(
    private readonly context: BrowserContext,
    private readonly guard: NetworkGuard,
    private readonly input: WalkInput,
  ) {
    this.traced = recordsTrace(input.options.trigger, input.spec.traceScheduled)
  }

  /** Instruments, the guard and the trace on the context, then the first tab, watched. */
  async open(): Promise<void> {
    const { context, input } = this
    this.instruments = await instrumentContext(context)
    await this.guard.attach(context)
    if (this.traced) await startTrace(context, { withSecrets: input.forms.length > 0 })
    this.firstPage = await context.newPage()
    this.page = this.livePage = this.firstPage
    this.watch(this.firstPage)
    context.on('page', (tab) => {
      this.watch(tab)
      this.openedTab = tab
    })
    context.setDefaultTimeout(input.limits.stepMs)
    context.setDefaultNavigationTimeout(input.limits.stepMs)
    this.walkStart = performance.now()
    this.runDeadline = Date.now() + input.limits.runMs
  }

  private watch(tab: Page): void {
    tab.on('crash', () => (this.crashed = true))
    tab.on('response', (response) => {
      if (response.request().isNavigationRequest() && response.frame() === tab.mainFrame()) this.statuses.set(tab, response.status())
    })
    tab.on('close', () => {
      if (this.livePage === tab) this.livePage = this.page = this.firstPage
    })
  }

  /** Our own measurements between steps: excluded from the journey's time. */
  private async measureOwn(fn: () => Promise<void>, limitMs: number): Promise<void> {
    const began = performance.now()
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)))
    await Promise.race([fn().catch(() => {}), late])
    clearTimeout(timer)
    this.overheadMs += performance.now() - began
  }

  private audit(): Promise<void> {
    return this.measureOwn(async () => {
      await this.claimReader.readPage(this.livePage)
      const url = this.livePage.url()
      if (this.input.spec.budgets.maxA11yViolations === undefined || this.audited.has(url) || !/^https?:/.test(url)) return
      this.audited.add(url)
      const count = await countA11yViolations(this.livePage)
      this.vitals.a11yViolations = Math.max(this.vitals.a11yViolations ?? 0, count)
    }, 20_000)
  }

  // Binding calls travel before the answer to this round trip: after it, every click is counted.
  // A page stuck in a navigation does not answer: then clicks are counted as they come.
  // (title() reads in Playwright's own world: an evaluation in the page's world
  // would load Playwright's script into every document once more.)
  private flush(): Promise<void> {
    return this.measureOwn(async () => void (await this.livePage.title()), 2000)
  }

  /**
   * One step: timed against its own and the run's deadline, its clicks
   * counted, the guard asked what it blocked. A failed step ends the walk
   * (StepFailure). `clicks`: false for a step that cannot click (go to,
   * fill, expect…): no flush after it.
   */
  async step<T>(line: number, text: string, fn: (deadline: number) => Promise<T>, clicks = true): Promise<T> {
    const { input, guard, instruments } = this
    const { limits, options } = input
    if (this.over) throw new StepFailure('the walk already ended')
    options.onProgress?.({ type: 'step-start', line, text: maskSecrets(text, input.forms) })
    const clicksBefore = instruments.clicks()
    const stepDeadline = Math.min(Date.now() + limits.stepMs, this.runDeadline)
    const began = performance.now()
    let value: T | undefined
    let error: string | null = null
    try {
      value = await withDeadline(fn(stepDeadline), stepDeadline, () =>
        stepDeadline === this.runDeadline
          ? `the journey ran out of time: it may take ${seconds(limits.runMs)} in all`
          : `the step took longer than ${seconds(limits.stepMs)}, its time limit`,
      )
    } catch (thrown) {
      error = describeError(thrown)
      // Out of time with a page that does not even answer: its own scripts hold it (the cause, not the clock).
      if (thrown instanceof TimeUp && !this.crashed && !(await answers(this.livePage, BUSY_PROBE_MS))) error += `; ${PAGE_BUSY}`
      if (this.crashed || isBrowserGone(thrown) || !(await stillAlive(this.livePage))) {
        this.monitorError = this.crashed ? `the browser tab crashed: ${error}` : `the browser stopped during the step: ${error}`
      }
    }
    const stepMs = Math.round(performance.now() - began)
    if (clicks || error !== null) await this.flush()
    const blocked = guard.blocked()
    if (blocked) {
      // Kept's own policy stopped the walk: an error of ours, not a broken promise.
      error = blockedMessage(blocked)
      this.monitorError ??= `Kept's target policy stopped the walk: ${error}`
    }
    const step: StepResult = { line, text, outcome: error === null ? 'passed' : 'failed', durationMs: stepMs, clicks: instruments.clicks() - clicksBefore, error }
    this.steps.push(step)
    options.onProgress?.({ type: 'step-end', step: maskStep(step, input.forms) })
    if (error !== null) {
      this.over = true
      throw new StepFailure(error)
    }
    await this.audit()
    return value as T
  }

  /** A journey in words: each step in turn; after a failed one, the rest are skipped. */
  async journey(steps: Step[]): Promise<void> {
    const { spec, secrets, run } = this.input
    const touch = isTouch(spec.device)
    for (const [index, step] of steps.entries()) {
      try {
        await this.step(
          step.line,
          step.text,
          (deadline) =>
            performStep(step, { page: this.livePage, touch, deadline, secrets, run, documentStatus: () => this.statuses.get(this.livePage) ?? null }),
          mayClick(step),
        )
        if (this.openedTab && !this.openedTab.isClosed()) this.livePage = this.page = this.openedTab
        this.openedTab = null
      } catch {
        for (const rest of steps.slice(index + 1)) {
          this.steps.push({ line: rest.line, text: rest.text, outcome: 'skipped', durationMs: 0, clicks: 0, error: null })
        }
        return
      }
    }
  }

  /** A code check: its run(), each step() it calls one step; a failure outside any step gets its own line. */
  async check(definition: CheckDefinition, baseUrl: string): Promise<void> {
    const { limits, secrets, spec } = this.input
    let order = 0
    const step = <T>(name: string, fn: () => Promise<T> | T) => this.step(++order, name, async () => fn())
    const helpers = checkHelpers({
      page: this.firstPage,
      touch: isTouch(spec.device),
      secrets,
      run: this.input.run,
      deadline: () => Math.min(this.runDeadline, Date.now() + limits.stepMs),
      documentStatus: () => this.statuses.get(this.firstPage) ?? null,
    })
    const run = Promise.resolve().then(() => definition.run({ page: this.firstPage, step, baseUrl, secrets, ...helpers }))
    run.catch(() => {}) // it may go on after its deadline: the context's close ends it
    try {
      await withDeadline(run, this.runDeadline, () => `the check ran out of time: it may take ${seconds(limits.runMs)} in all`)
    } catch (thrown) {
      // A failure inside a step is already recorded.
      if (this.over) return
      this.over = true
      const blocked = this.guard.blocked()
      if (blocked) this.monitorError ??= `Kept's target policy stopped the walk: ${blockedMessage(blocked)}`
      this.steps.push({
        line: order + 1,
        text: '(outside any step)',
        outcome: 'failed',
        durationMs: 0,
        clicks: 0,
        error: blocked ? blockedMessage(blocked) : describeError(thrown),
      })
    }
  }

  /** The journey's own time (our measurements left out), its vitals, and the verdict against the budgets. */
  judge(): Verdict {
    this.durationMs = Math.max(0, Math.round(performance.now() - this.walkStart - this.overheadMs))
    const lcpMs = this.instruments.lcpMs()
    if (lcpMs !== undefined) this.vitals.lcpMs = lcpMs
    return judgeRun(
      { steps: this.steps, clicks: this.instruments.clicks(), durationMs: this.durationMs, vitals: this.vitals, ...(this.monitorError ? { error: this.monitorError } : {}) },
      this.input.spec.budgets,
    )
  }

  /**
   * Evidence of a broken or error run (and of every "try it now": the
   * person trying wants to see the page the journey ended on); a kept
   * run's trace is dropped.
   */
  async evidence(outcome: RunResult['outcome'] | 'failed'): Promise<Evidence> {
    const { options, forms, secrets } = this.input
    if (outcome === 'broken' || outcome === 'error' || outcome === 'failed' || options.trigger === 'test') {
      return saveEvidence(this.context, this.page, {
        runId: options.runId,
        keep: options.keepEvidence ?? keepInDataDir(options.dataDir),
        ...(options.evidenceLimits ? { limits: options.evidenceLimits } : {}),
        secretForms: forms,
        secretValues: Object.values(secrets),
        traced: this.traced,
      })
    }
    if (this.traced) await discardTrace(this.context)
    return NO_EVIDENCE
  }

  get clicks(): number {
    return this.instruments?.clicks() ?? 0
  }
}

/** Walks the plan in `context` (which the caller closes). */
export async function walk(
  context: BrowserContext,
  plan: { kind: 'journey'; steps: Step[] } | { kind: 'check'; definition: CheckDefinition; baseUrl: string },
  guard: NetworkGuard,
  input: WalkInput,
): Promise<Measured> {
  const w = new Walk(context, guard, input)
  try {
    await w.open()
    if (plan.kind === 'journey') await w.journey(plan.steps)
    else await w.check(plan.definition, plan.baseUrl)
    const verdict = w.judge()
    const evidence = await w.evidence(verdict.outcome)
    // The page where the site makes the promise, after the evidence: the walk's own time and pictures are done.
    if (input.spec.claimUrl && w.page) await w.claimReader.readUrl(w.page, input.spec.claimUrl)
    const claims = w.claimReader.claims()
    return { outcome: verdict.outcome, failure: verdict.failure, failures: verdict.failures, clicks: w.clicks, durationMs: w.durationMs, steps: w.steps, vitals: w.vitals, evidence, ...(claims ? { claims } : {}) }
  } catch (error) {
    // Setting up the context or the verdict failed: ours, never the site's.
    // Only masked words reach the log: a stack could quote a filled value.
    input.options.logger?.error({ error: maskSecrets(describeError(error), input.forms), runId: input.options.runId }, 'journey runner failed')
    const evidence = await w.evidence('failed').catch(() => NO_EVIDENCE)
    return errorMeasure(`the runner failed: ${describeError(error)}`, { steps: w.steps, durationMs: w.durationMs, vitals: w.vitals, evidence })
  }
}

/** Only these steps click (or tap): the rest need no wait for click reports after them. */
function mayClick(step: Step): boolean {
  return step.kind === 'click' || step.kind === 'check' || step.kind === 'uncheck' || step.kind === 'select'
}

/**
 * A step with secret values masked in its words. Only the free text is
 * masked: a short secret ("fail") must not rewrite an outcome ("failed").
 */
export function maskStep(step: StepResult, forms: string[]): StepResult {
  return { ...step, text: maskSecrets(step.text, forms), error: step.error == null ? step.error : maskSecrets(step.error, forms) }
}

/** After a failed step: is our browser still there? (A browser closing under a step may first fail it as a network error.) */
async function stillAlive(page: Page): Promise<boolean> {
  // A page in the middle of a navigation may not answer: that is alive.
  const answered = await Promise.race([
    page.evaluate(() => true).catch((error: unknown) => !isBrowserGone(error)),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 1000).unref()),
  ])
  return answered && !page.isClosed() && page.context().browser()?.isConnected() !== false
}

/** Playwright's words for a page, context or browser closed under it: the monitor's failure (nothing else closes them). */
function isBrowserGone(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error)
  return /has been closed|Target closed|browser has disconnected|Browser closed/i.test(message) && !(error instanceof StepFailure)
}

/** A step's or the walk's time ran out. */
class TimeUp extends StepFailure {}

/** How long a page may take to answer before it is said to be busy. */
const BUSY_PROBE_MS = 1000
export const PAGE_BUSY = 'the page was not responding: its own scripts kept it busy'

/** Whether the page's document answers within `ms` (its main thread is free). */
async function answers(page: Page, ms: number): Promise<boolean> {
  if (page.isClosed()) return true
  let timer: NodeJS.Timeout | undefined
  const answered = await Promise.race([
    page.title().then(() => true, () => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ])
  clearTimeout(timer)
  return answered
}

/** Rejects with `message()` when `deadline` (epoch ms) passes first. */
export function withDeadline<T>(work: Promise<T>, deadline: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeUp(message())), Math.max(0, deadline - Date.now()))
  })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`

/** A Playwright error's first line, without the API name ("locator.click: …"). */
export function describeError(error: unknown): string {
  if (error instanceof StepFailure) return error.message
  const message = error instanceof Error ? error.message : String(error)
  const first = message.split('\n')[0]!.replace(/^[a-zA-Z]+\.[a-zA-Z]+: /, '')
  return first.replace(/Timeout (\d+)ms exceeded\.?/, (_all, ms: string) => `timed out after ${seconds(Number(ms))}`)
}
