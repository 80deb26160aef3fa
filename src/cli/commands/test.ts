import { parseAllowedTargets } from '../../domain/target-policy.ts'
import { randomUUID } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import { parseEnv, type Env } from '../../config/env.ts'
import { openDatabase } from '../../db/open.ts'
import { promises } from '../../db/schema.ts'
import type { BudgetKey, Budgets } from '../../domain/budget.ts'
import { evidenceProblemsOf, walkFailuresOf, type RunResult, type StepResult } from '../../domain/run.ts'
import { decrypt, loadSecretKey } from '../../infra/crypto.ts'
import type { JourneySpec } from '../../queue/jobs.ts'
import { buildSpec, referencedSecrets } from '../../queue/spec.ts'
import { BrowserPool } from '../../runner/browser-pool.ts'
import { localChromium } from '../local-chromium.ts'
import { loadCheck } from '../../runner/checks.ts'
import { runJourney, type ProgressEvent } from '../../runner/run-journey.ts'

// `kept test <file.check.ts | journey.txt | promise id>`: walks a journey
// once, here, with the same runner a worker uses, and prints each step as
// it goes. Exit code: 0 kept or at risk, 1 broken, 2 error.

/** Secrets of a file walked locally come from KEPT_TEST_SECRET_<NAME> variables. */
const SECRET_PREFIX = 'KEPT_TEST_SECRET_'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

interface Prepared {
  spec: JourneySpec
  checksDir?: string
  decryptSecret: (value: string) => string
}

export interface TestOptions {
  json?: boolean
  maxClicks?: string
  maxSeconds?: string
  maxStepSeconds?: string
}

export async function testCliCommand(target: string, opts: TestOptions): Promise<number> {
  const budgets = budgetsOf(opts)
  if (typeof budgets === 'string') {
    process.stderr.write(`kept test: ${budgets}\n`)
    return 2
  }
  const env = parseEnv()
  const dataDir = path.resolve(env.KEPT_DATA_DIR)
  const prepared = await prepare(target, env, dataDir)
  if (typeof prepared === 'string') {
    process.stderr.write(`kept test: ${prepared}\n`)
    return 2
  }
  // A journey file carries no budgets: the promise's are given on the command line.
  prepared.spec.budgets = { ...prepared.spec.budgets, ...budgets }
  const chromium = localChromium(env, 'kept test')
  if (!chromium) return 2

  const out = opts.json ? process.stderr : process.stdout
  const progress = new ProgressLine(process.stderr)
  if (!opts.json) out.write(`Walking "${prepared.spec.title}" (${prepared.spec.device}) in ${chromium}\n`)
  const pool = new BrowserPool({ executablePath: chromium })
  let result: RunResult
  try {
    result = await runJourney(pool, prepared.spec, {
      runId: randomUUID(),
      trigger: 'test',
      dataDir,
      workerId: 'kept-test',
      decryptSecret: prepared.decryptSecret,
      // An operator at a shell, not a journey in the fleet: Kept's own services are not guarded here.
      targetPolicy: parseAllowedTargets(env.KEPT_ALLOWED_TARGETS),
      runValues: { emailDomain: env.KEPT_RUN_EMAIL_DOMAIN, timezone: env.KEPT_TIMEZONE },
      ...(prepared.checksDir ? { checksDir: prepared.checksDir } : {}),
      onProgress: (event: ProgressEvent) => {
        if (event.type === 'step-start') return progress.show(`  … ${event.line}  ${event.text}`)
        progress.clear()
        if (!opts.json) out.write(`${formatStep(event.step)}\n`)
      },
    })
  } finally {
    progress.clear()
    await pool.close()
  }

  if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  else {
    for (const step of result.steps.filter((s) => s.outcome === 'skipped')) out.write(`${formatStep(step)}\n`)
    out.write(`${formatVerdict(result)}\n`)
    if (result.screenshotPath) out.write(`  screenshot: ${path.join(dataDir, 'evidence', result.screenshotPath)}\n`)
    if (result.tracePath) out.write(`  trace: ${path.join(dataDir, 'evidence', result.tracePath)}  (open it with npx playwright-core show-trace)\n`)
    for (const problem of evidenceProblemsOf(result)) out.write(`  evidence: ${problem}\n`)
  }
  return result.outcome === 'broken' ? 1 : result.outcome === 'error' ? 2 : 0
}

/** The budgets given as options, or what is wrong with one. */
export function budgetsOf(opts: TestOptions): Budgets | string {
  const budgets: Budgets = {}
  const given: [keyof TestOptions & BudgetKey, string, boolean][] = [
    ['maxClicks', '--max-clicks', true],
    ['maxSeconds', '--max-seconds', false],
    ['maxStepSeconds', '--max-step-seconds', false],
  ]
  for (const [key, flag, whole] of given) {
    const written = opts[key]
    if (written === undefined) continue
    const n = Number(written)
    if (written.trim() === '' || !Number.isFinite(n) || n < 0 || (whole && !Number.isInteger(n))) {
      return `${flag}: expected ${whole ? 'a whole number of clicks like 3' : 'a number of seconds like 30 or 1.5'}, found "${written}"`
    }
    budgets[key] = n
  }
  return budgets
}

async function prepare(target: string, env: Env, dataDir: string): Promise<Prepared | string> {
  const file = path.resolve(target)
  const isFile = await stat(file).then((s) => s.isFile(), () => false)
  const fromEnv = (names: string[] | null) => {
    const secrets: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env)) {
      const name = key.startsWith(SECRET_PREFIX) ? key.slice(SECRET_PREFIX.length) : null
      if (name && value !== undefined && (names === null || names.includes(name))) secrets[name] = value
    }
    return secrets
  }
  const local = { promiseId: randomUUID(), budgets: {}, device: 'desktop' as const }

  if (isFile && file.endsWith('.check.ts')) {
    const definition = await loadCheck(file).catch((error: Error) => error)
    if (definition instanceof Error) return definition.message
    return {
      spec: {
        ...local,
        title: definition.title,
        journey: null,
        checkFile: path.basename(file),
        budgets: definition.budgets ?? {},
        device: definition.device ?? 'desktop',
        secrets: fromEnv(null),
      },
      checksDir: path.dirname(file),
      decryptSecret: (value) => value,
    }
  }
  if (isFile) {
    const journey = await readFile(file, 'utf8')
    return {
      spec: { ...local, title: path.basename(file), journey, checkFile: null, secrets: fromEnv(referencedSecrets(journey)) },
      decryptSecret: (value) => value,
    }
  }
  if (!UUID.test(target)) return `${target}: no such file, and not a promise id`

  const database = await openDatabase({ ...env, KEPT_DATA_DIR: dataDir }, { role: 'client' })
  try {
    const [row] = await database.db.select().from(promises).where(eq(promises.id, target))
    if (!row) return `no promise with id ${target}`
    const key = await loadSecretKey(env, dataDir)
    return {
      spec: await buildSpec(database.db, row),
      decryptSecret: (value) => decrypt(key, value),
    }
  } finally {
    await database.close()
  }
}

export function formatStep(step: StepResult): string {
  const mark = step.outcome === 'passed' ? '✓' : step.outcome === 'failed' ? '✗' : '-'
  const clicks = step.clicks ? `  ${step.clicks} click${step.clicks === 1 ? '' : 's'}` : ''
  const time = step.outcome === 'skipped' ? 'skipped' : `${step.durationMs} ms`
  const line = `  ${mark} ${String(step.line).padStart(2)}  ${step.text}  (${time}${clicks})`
  return step.error ? `${line}\n        ${step.error}` : line
}

export function formatVerdict(result: RunResult): string {
  const summary = `${result.clicks} click${result.clicks === 1 ? '' : 's'} in ${(result.durationMs / 1000).toFixed(1)} s`
  const vitals = [
    result.vitals.lcpMs !== undefined ? `LCP ${result.vitals.lcpMs} ms` : null,
    result.vitals.a11yViolations !== undefined ? `${result.vitals.a11yViolations} accessibility violations` : null,
  ].filter(Boolean)
  const measured = [summary, ...vitals].join(', ')
  // Every failure, the first first: a step may fail after a budget was blown.
  const why = walkFailuresOf(result)
    .map((failure) =>
      failure.kind !== 'budget'
        ? `${failure.line ? `line ${failure.line}: ` : ''}${failure.message}`
        : // The click one too many: where the journey went over the promise.
          `${failure.message} (${failure.budget}${failure.budget === 'maxClicks' && failure.line ? `; the click over it is on line ${failure.line}` : ''})`,
    )
    .join('; also ')
  return `${result.outcome.replace('_', ' ').toUpperCase()}: ${measured}${why ? ` — ${why}` : ''}`
}

/** A line rewritten in place while a step runs (only on a terminal). */
class ProgressLine {
  private shown = false
  constructor(private readonly stream: NodeJS.WriteStream) {}
  show(text: string) {
    if (!this.stream.isTTY) return
    this.stream.write(`\r\x1b[K${text.slice(0, (this.stream.columns || 80) - 1)}`)
    this.shown = true
  }
  clear() {
    if (!this.shown) return
    this.stream.write('\r\x1b[K')
    this.shown = false
  }
}
