import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import { parseJourney, formatParseError } from '../domain/journey/parse.ts'
import type { Step } from '../domain/journey/ast.ts'
import { maskSecrets } from '../domain/mask.ts'
import type { Failure, RunResult, RunTrigger, StepResult, Vitals } from '../domain/run.ts'
import { judgeRun } from '../domain/verdict.ts'
import type { Logger } from '../infra/logger.ts'
import type { JourneySpec } from './journey-spec.ts'
import type { CheckDefinition } from '../check.ts'
import { recordsTrace } from '../domain/evidence.ts'
import { countA11yViolations } from './a11y.ts'
import type { BrowserPool } from './browser-pool.ts'
import { checkBaseUrl, checkPath, loadCheck } from './checks.ts'
import { contextOptionsFor, isTouch } from './devices.ts'
import { discardTrace, saveEvidence, startTrace, type Evidence } from './evidence.ts'
import { instrumentContext } from './instruments.ts'
import { blockedMessage, openNetworkGuard, type NetworkGuard } from './network-guard.ts'
import { secretVariants } from './secrets.ts'
import { MonitorFailure, StepFailure } from './step-failure.ts'
import { performStep } from './steps.ts'
import { parseAllowedTargets, type TargetPolicy } from '../domain/target-policy.ts'
import { timeLimits, type TimeLimits } from './time-limits.ts'

export interface RunJourneyOptions {
  runId: string
  trigger: RunTrigger
  confirmOf?: string
  /** KEPT_DATA_DIR: evidence goes to <dataDir>/evidence/<runId>/. */
  dataDir: string
  workerId: string
  decryptSecret: (encrypted: string) => string
  /** What the browser may reach (own-services.ts targetPolicyFromEnv); default: KEPT_ALLOWED_TARGETS empty, no own services known. */
  targetPolicy?: TargetPolicy
  /** Hard limit of the whole walk; default from the budgets (see time-limits.ts). */
  timeoutMs?: number
  /** Where code checks live; default the checks/ folder of this installation. */
  checksDir?: string
  /** Live progress, for `kept test`: each step as it starts and ends (already masked). */
  onProgress?: (event: ProgressEvent) => void
  /** For KEPT_CHECKS_BASE_URL and KEPT_DEMO_PORT; default process.env. */
  env?: NodeJS.ProcessEnv
  logger?: Logger
}

export type ProgressEvent = { type: 'step-start'; line: number; text: string } | { type: 'step-end'; step: StepResult }

const DEFAULT_CHECKS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../checks')

type Plan =
  | { kind: 'journey'; steps: Step[]; secrets: string[] }
  | { kind: 'check'; definition: CheckDefinition; baseUrl: string }

/**
 * Walks a promise once in a fresh context of the pool's browser and says
 * what it measured. Never throws for the site's failures (they make a
 * broken run) nor for the monitor's (they make an error run); secret
 * values are masked in everything it returns.
 */
export async function runJourney(pool: BrowserPool, spec: JourneySpec, options: RunJourneyOptions): Promise<RunResult> {
  const startedAt = new Date()
  const secrets: Record<string, string> = {}
  let forms: string[] = []
  const result = (measured: Measured): RunResult => ({
    runId: options.runId,
    promiseId: spec.promiseId,
    trigger: options.trigger,
    outcome: measured.outcome,
    clicks: measured.clicks,
    durationMs: measured.durationMs,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    steps: measured.steps.map((step) => maskStep(step, forms)),
    failure: measured.failure && { ...measured.failure, message: maskSecrets(measured.failure.message, forms) },
    vitals: measured.vitals,
    screenshotPath: measured.evidence.screenshotPath,
    tracePath: measured.evidence.tracePath,
    workerId: options.workerId,
    confirmOf: options.confirmOf ?? null,
  })

  let plan: Plan
  let policy: TargetPolicy
  try {
    for (const [name, encrypted] of Object.entries(spec.secrets)) {
      try {
        secrets[name] = options.decryptSecret(encrypted)
      } catch (error) {
        throw new MonitorFailure(
          `cannot decrypt the secret ${name}: this worker's KEPT_SECRET_KEY is not the control plane's (${(error as Error).message})`,
        )
      }
    }
    forms = secretVariants(Object.values(secrets))
    policy = options.targetPolicy ?? parseAllowedTargets('')
    plan = await planOf(spec, options)
    // A secret the journey names but nobody set: ours to fix, not the site's.
    const missing = plan.kind === 'journey' ? plan.secrets.filter((name) => !Object.hasOwn(secrets, name)) : []
    if (missing.length > 0) {
      throw new MonitorFailure(
        `the secret ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set: add ${missing.length === 1 ? 'it' : 'them'} on the Secrets page (/settings/secrets) or with PUT /api/v1/secrets/${missing[0]}`,
      )
    }
  } catch (error) {
    return result(errorMeasure((error as Error).message))
  }

  const limits = timeLimits(spec.budgets, options.timeoutMs)
  const guard = await openNetworkGuard(policy)
  try {
    let context: BrowserContext
    try {
      context = await pool.newContext({ ...contextOptionsFor(spec.device), proxy: guard.proxy })
    } catch (error) {
      options.logger?.error({ error: (error as Error).message, runId: options.runId }, 'cannot open a browser context')
      return result(errorMeasure(`the browser could not start: ${(error as Error).message}`))
    }
    try {
      return result(await walk(context, plan, guard, { spec, secrets, forms, limits, options }))
    } finally {
      await context.close().catch(() => {})
    }
  } finally {
    await guard.close()
  }
}

interface Measured {
  outcome: RunResult['outcome']
  clicks: number
  durationMs: number
  steps: StepResult[]
  failure: Failure | null
  vitals: Vitals
  evidence: Evidence
}

const NO_EVIDENCE: Evidence = { screenshotPath: null, tracePath: null }

function errorMeasure(message: string, partial: Partial<Measured> = {}): Measured {
  return {
    outcome: 'error',
    clicks: 0,
    durationMs: 0,
    steps: [],
    vitals: {},
    evidence: NO_EVIDENCE,
    ...partial,
    failure: { kind: 'error', message },
  }
}

async function planOf(spec: JourneySpec, options: RunJourneyOptions): Promise<Plan> {
  if (spec.checkFile) {
    const file = checkPath(options.checksDir ?? DEFAULT_CHECKS_DIR, spec.checkFile)
    const definition = await loadCheck(file)
    return { kind: 'check', definition, baseUrl: checkBaseUrl(definition, options.env) }
  }
  const parsed = parseJourney(spec.journey ?? '')
  if (!parsed.ok) throw new Error(`the journey does not parse: ${parsed.errors.map(formatParseError).join('; ')}`)
  return { kind: 'journey', steps: parsed.journey.steps, secrets: parsed.journey.secrets }
}

interface WalkInput {
  spec: JourneySpec
  secrets: Record<string, string>
  forms: string[]
  limits: TimeLimits
  options: RunJourneyOptions
}

/** Walks the plan in `context` (which the caller closes). */
async function walk(context: BrowserContext, plan: Plan, guard: NetworkGuard, input: WalkInput): Promise<Measured> {
  const { spec, limits, options } = input
  const traced = recordsTrace(options.trigger, spec.traceScheduled)
  let page: Page | null = null
  let crashed = false
  const steps: StepResult[] = []
  let monitorError: string | null = null
  let durationMs = 0
  const vitals: Vitals = {}

  try {
    const instruments = await instrumentContext(context)
    await guard.attach(context)
    if (traced) await startTrace(context, { withSecrets: input.forms.length > 0 })
    const firstPage = await context.newPage()
    page = firstPage
    // The page the journey looks at: a link that opens a new tab moves a
    // person (and a journey in words) to that tab; closing it, back.
    let livePage = firstPage
    const tabs: { opened: Page | null } = { opened: null }
    const statuses = new WeakMap<Page, number>()
    const watch = (tab: Page) => {
      tab.on('crash', () => (crashed = true))
      tab.on('response', (response) => {
        if (response.request().isNavigationRequest() && response.frame() === tab.mainFrame()) statuses.set(tab, response.status())
      })
      tab.on('close', () => {
        if (livePage === tab) livePage = page = firstPage
      })
    }
    watch(firstPage)
    context.on('page', (tab) => {
      watch(tab)
      tabs.opened = tab
    })
    context.setDefaultTimeout(limits.stepMs)
    context.setDefaultNavigationTimeout(limits.stepMs)

    const a11y = spec.budgets.maxA11yViolations !== undefined
    const audited = new Set<string>()
    let overheadMs = 0
    /** Our own measurements between steps: excluded from the journey's time. */
    const measureOwn = async (fn: () => Promise<void>, limitMs: number) => {
      const began = performance.now()
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)))
      await Promise.race([fn().catch(() => {}), late])
      clearTimeout(timer)
      overheadMs += performance.now() - began
    }
    const audit = () =>
      measureOwn(async () => {
        const url = livePage.url()
        if (!a11y || audited.has(url) || !/^https?:/.test(url)) return
        audited.add(url)
        const count = await countA11yViolations(livePage)
        vitals.a11yViolations = Math.max(vitals.a11yViolations ?? 0, count)
      }, 20_000)
    // Binding calls travel before the answer to this round trip: after it, every click is counted.
    // A page stuck in a navigation does not answer: then clicks are counted as they come.
    // (title() reads in Playwright's own world: an evaluation in the page's world
    // would load Playwright's script into every document once more.)
    const flush = () => measureOwn(async () => void (await livePage.title()), 2000)

    const walkStart = performance.now()
    const runDeadline = Date.now() + limits.runMs
    let walkOver = false

    /** `clicks`: false for a step that cannot click (go to, fill, expect…): no flush after it. */
    const runStep = async <T>(line: number, text: string, fn: (deadline: number) => Promise<T>, clicks = true): Promise<T> => {
      if (walkOver) throw new StepFailure('the walk already ended')
      options.onProgress?.({ type: 'step-start', line, text: maskSecrets(text, input.forms) })
      const clicksBefore = instruments.clicks()
      const stepDeadline = Math.min(Date.now() + limits.stepMs, runDeadline)
      const began = performance.now()
      let value: T | undefined
      let error: string | null = null
      try {
        value = await withDeadline(fn(stepDeadline), stepDeadline, () =>
          stepDeadline === runDeadline
            ? `the journey ran out of time: it may take ${seconds(limits.runMs)} in all`
            : `the step took longer than ${seconds(limits.stepMs)}, its time limit`,
        )
      } catch (thrown) {
        error = describeError(thrown)
        if (crashed || isBrowserGone(thrown) || !(await stillAlive(livePage))) {
          monitorError = crashed ? `the browser tab crashed: ${error}` : `the browser stopped during the step: ${error}`
        }
      }
      const stepMs = Math.round(performance.now() - began)
      if (clicks || error !== null) await flush()
      const blocked = guard.blocked()
      if (blocked) {
        // Kept's own policy stopped the walk: an error of ours, not a broken promise.
        error = blockedMessage(blocked)
        monitorError ??= `Kept's target policy stopped the walk: ${error}`
      }
      const step: StepResult = {
        line,
        text,
        outcome: error === null ? 'passed' : 'failed',
        durationMs: stepMs,
        clicks: instruments.clicks() - clicksBefore,
        error,
      }
      steps.push(step)
      options.onProgress?.({ type: 'step-end', step: maskStep(step, input.forms) })
      if (error !== null) {
        walkOver = true
        throw new StepFailure(error)
      }
      await audit()
      return value as T
    }

    if (plan.kind === 'journey') {
      const touch = isTouch(spec.device)
      for (const [index, step] of plan.steps.entries()) {
        try {
          await runStep(
            step.line,
            step.text,
            (deadline) =>
              performStep(step, { page: livePage, touch, deadline, secrets: input.secrets, documentStatus: () => statuses.get(livePage) ?? null }),
            mayClick(step),
          )
          if (tabs.opened && !tabs.opened.isClosed()) livePage = page = tabs.opened
          tabs.opened = null
        } catch {
          for (const rest of plan.steps.slice(index + 1)) {
            steps.push({ line: rest.line, text: rest.text, outcome: 'skipped', durationMs: 0, clicks: 0, error: null })
          }
          break
        }
      }
    } else {
      let order = 0
      const step = <T>(name: string, fn: () => Promise<T> | T) => runStep(++order, name, async () => fn())
      const run = Promise.resolve().then(() =>
        plan.definition.run({ page: firstPage, step, baseUrl: plan.baseUrl, secrets: input.secrets }),
      )
      run.catch(() => {}) // it may go on after its deadline: the context's close ends it
      try {
        await withDeadline(run, runDeadline, () => `the check ran out of time: it may take ${seconds(limits.runMs)} in all`)
      } catch (thrown) {
        // A failure inside a step is already recorded; one outside any step gets its own line.
        if (!walkOver) {
          walkOver = true
          const blocked = guard.blocked()
          if (blocked) monitorError ??= `Kept's target policy stopped the walk: ${blockedMessage(blocked)}`
          steps.push({
            line: order + 1,
            text: '(outside any step)',
            outcome: 'failed',
            durationMs: 0,
            clicks: 0,
            error: blocked ? blockedMessage(blocked) : describeError(thrown),
          })
        }
      }
    }
    durationMs = Math.max(0, Math.round(performance.now() - walkStart - overheadMs))
    const lcpMs = instruments.lcpMs()
    if (lcpMs !== undefined) vitals.lcpMs = lcpMs

    const verdict = judgeRun(
      { steps, clicks: instruments.clicks(), durationMs, vitals, ...(monitorError ? { error: monitorError } : {}) },
      spec.budgets,
    )
    // A "try it now" keeps its evidence whatever the outcome: the person
    // trying wants to see the page the journey ended on.
    const keepEvidence = verdict.outcome === 'broken' || verdict.outcome === 'error' || options.trigger === 'test'
    let evidence = NO_EVIDENCE
    if (keepEvidence) {
      evidence = await saveEvidence(context, page, {
        dataDir: options.dataDir,
        runId: options.runId,
        secretForms: input.forms,
        secretValues: Object.values(input.secrets),
        traced,
      })
    } else if (traced) {
      await discardTrace(context)
    }
    return { outcome: verdict.outcome, failure: verdict.failure, clicks: instruments.clicks(), durationMs, steps, vitals, evidence }
  } catch (error) {
    // Setting up the context or the verdict failed: ours, never the site's.
    // Only masked words reach the log: a stack could quote a filled value.
    options.logger?.error({ error: maskSecrets(describeError(error), input.forms), runId: options.runId }, 'journey runner failed')
    const evidence = await saveEvidence(context, page, {
      dataDir: options.dataDir,
      runId: options.runId,
      secretForms: input.forms,
      secretValues: Object.values(input.secrets),
      traced,
    }).catch(() => NO_EVIDENCE)
    return errorMeasure(`the runner failed: ${describeError(error)}`, { steps, durationMs, vitals, evidence })
  }
}

/** Only these steps click (or tap): the rest need no wait for click reports after them. */
function mayClick(step: Step): boolean {
  return step.kind === 'click' || step.kind === 'check' || step.kind === 'uncheck'
}

/**
 * A step with secret values masked in its words. Only the free text is
 * masked: a short secret ("fail") must not rewrite an outcome ("failed").
 */
function maskStep(step: StepResult, forms: string[]): StepResult {
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

/** Rejects with `message()` when `deadline` (epoch ms) passes first. */
function withDeadline<T>(work: Promise<T>, deadline: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepFailure(message())), Math.max(0, deadline - Date.now()))
  })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`

/** A Playwright error's first line, without the API name ("locator.click: …"). */
function describeError(error: unknown): string {
  if (error instanceof StepFailure) return error.message
  const message = error instanceof Error ? error.message : String(error)
  const first = message.split('\n')[0]!.replace(/^[a-zA-Z]+\.[a-zA-Z]+: /, '')
  return first.replace(/Timeout (\d+)ms exceeded\.?/, (_all, ms: string) => `timed out after ${seconds(Number(ms))}`)
}
