import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseJourney, formatParseError } from '../domain/journey/parse.ts'
import type { Step } from '../domain/journey/ast.ts'
import { runValues, type RunValueSettings } from '../domain/journey/run-values.ts'
import { maskSecrets } from '../domain/mask.ts'
import type { RunResult, RunTrigger, StepResult } from '../domain/run.ts'
import type { Logger } from '../infra/logger.ts'
import type { JourneySpec } from './journey-spec.ts'
import type { CheckDefinition } from '../check.ts'
import type { BrowserPool, Prepared } from './browser-pool.ts'
import type { EvidenceLimits } from '../evidence/limits.ts'
import type { KeepEvidence } from './evidence.ts'
import { checkBaseUrl, checkPath, loadCheck } from './checks.ts'
import { contextOptionsFor } from './devices.ts'
import { openNetworkGuard, type NetworkGuard } from './network-guard.ts'
import { secretVariants } from './secrets.ts'
import { MonitorFailure } from './step-failure.ts'
import { parseAllowedTargets, type TargetPolicy } from '../domain/target-policy.ts'
import { timeLimits } from './time-limits.ts'
import { errorMeasure, maskStep, walk, type Measured } from './walk.ts'

export interface RunJourneyOptions {
  runId: string
  trigger: RunTrigger
  confirmOf?: string
  /** KEPT_DATA_DIR: evidence goes to <dataDir>/evidence/<runId>/ unless keepEvidence says otherwise. */
  dataDir: string
  /** Where evidence files go instead (a journey worker: Redis, src/evidence/transport.ts). */
  keepEvidence?: KeepEvidence
  /** The most bytes a screenshot and a trace may have (default 10 MB and 50 MB). */
  evidenceLimits?: EvidenceLimits
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
  /** The domain of {{run.email}} (KEPT_RUN_EMAIL_DOMAIN) and the zone of {{today}} (KEPT_TIMEZONE). */
  runValues?: RunValueSettings
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
    failures: [
      ...measured.failures.map((failure) => ({ ...failure, message: maskSecrets(failure.message, forms) })),
      // Evidence that could not be kept: said on the run, which is kept all the same.
      ...(measured.evidence.problems ?? []).map((message) => ({ kind: 'error' as const, message, evidence: true })),
    ],
    vitals: measured.vitals,
    ...(measured.claims ? { claims: measured.claims.map((claim) => ({ ...claim, text: maskSecrets(claim.text, forms) })) } : {}),
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
    policy = options.targetPolicy ?? NO_POLICY
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
  let kit: Kit
  try {
    kit = await pool.takePrepared(`${spec.device} ${policyKey(policy)}`, () => openKit(pool, policy, spec.device))
  } catch (error) {
    options.logger?.error({ error: (error as Error).message, runId: options.runId }, 'cannot open a browser context')
    return result(errorMeasure(`the browser could not start: ${(error as Error).message}`))
  }
  try {
    const run = runValues(options.runId, startedAt, options.runValues)
    return result(await walk(kit.context, plan, kit.guard, { spec, secrets, run, forms, limits, options }))
  } finally {
    await kit.dispose()
  }
}

/**
 * What a walk starts from: its own network guard and a fresh context
 * behind it. Its first tab is left to the walk: a tab opened ahead cost a
 * walk 5-12 % more CPU in Chromium for no more throughput (bench/README.md).
 */
interface Kit extends Prepared {
  guard: NetworkGuard
}

async function openKit(pool: BrowserPool, policy: TargetPolicy, device: JourneySpec['device']): Promise<Kit> {
  const guard = await openNetworkGuard(policy)
  try {
    const context = await pool.newContext({ ...contextOptionsFor(device), proxy: guard.proxy })
    return {
      guard,
      context,
      dispose: async () => {
        await context.close().catch(() => {})
        await guard.close()
      },
    }
  } catch (error) {
    await guard.close()
    throw error
  }
}

/** The default policy (nothing set), shared so that walks under it share their kind of prepared context. */
const NO_POLICY = parseAllowedTargets('')
const policyIds = new WeakMap<TargetPolicy, number>()
let nextPolicyId = 0
/** Contexts prepared under one policy object serve only walks under the same one. */
function policyKey(policy: TargetPolicy): number {
  let id = policyIds.get(policy)
  if (id === undefined) {
    id = nextPolicyId++
    policyIds.set(policy, id)
  }
  return id
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

