import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { z } from 'zod'
import { problemsOf, promiseRules, type PromiseProblem } from '../promises/rules.ts'
import type { CheckDefinition } from '../check.ts'

export type { CheckContext, CheckDefinition } from '../check.ts'

// Validates what a check file exports: a typo in a budget or a schedule
// names the file and the field instead of surfacing at the first run.
// The fields are the rulebook's (src/promises/rules.ts), as every door's.
const definitionSchema = z.object({
  title: promiseRules.title,
  description: promiseRules.description.unwrap().optional(),
  budgets: promiseRules.budgets.optional(),
  schedule: promiseRules.schedule.unwrap().optional(),
  dailyCustomers: promiseRules.dailyCustomers.optional(),
  detractorRate: promiseRules.detractorRate.optional(),
  device: promiseRules.device.optional(),
  marketingOwner: promiseRules.marketingOwner.unwrap().optional(),
  techOwner: promiseRules.techOwner.unwrap().optional(),
  claimUrl: promiseRules.claimUrl.unwrap().optional(),
  regions: promiseRules.regions.optional(),
  public: promiseRules.public.optional(),
  publicTitle: promiseRules.publicTitle.unwrap().optional(),
  baseUrl: z.string().url().optional(),
  demo: z.boolean().optional(),
  run: z.custom<CheckDefinition['run']>((v) => typeof v === 'function', 'expected a function run({ page, step, baseUrl, secrets })'),
})

/** Absolute paths of the *.check.ts files in `dir`, sorted; none when the folder does not exist. */
export async function listCheckFiles(dir: string): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  return names
    .filter((name) => name.endsWith('.check.ts'))
    .sort()
    .map((name) => path.resolve(dir, name))
}

/**
 * Imports one check file on its own (no registry shared between files)
 * and validates its default export. Throws naming the file and the field.
 */
export async function loadCheck(file: string): Promise<CheckDefinition> {
  const name = path.basename(file)
  let module: { default?: unknown }
  try {
    module = await import(pathToFileURL(path.resolve(file)).href)
  } catch (error) {
    throw new Error(`${name}: cannot load: ${(error as Error).message.split('\n')[0]}`, { cause: error })
  }
  if (module.default === undefined) {
    throw new Error(`${name}: expected \`export default definePromise({...})\``)
  }
  const result = definitionSchema.safeParse(module.default)
  if (!result.success) {
    const problems = problemsOf(result.error).map((p) => `${p.path || '(the export)'}: ${p.message}`)
    throw new Error(`${name}: invalid promise: ${problems.join('; ')}`)
  }
  return result.data as CheckDefinition
}

/** What the rulebook says of a check file's export: its problems, none when it is a valid promise. */
export function checkProblems(definition: unknown): PromiseProblem[] {
  const result = definitionSchema.safeParse(definition)
  return result.success ? [] : problemsOf(result.error)
}

/** Where a check file named in a job lives: a bare file name inside `checksDir`, nothing else. */
export function checkPath(checksDir: string, checkFile: string): string {
  if (checkFile !== path.basename(checkFile) || !checkFile.endsWith('.check.ts')) {
    throw new Error(`check file "${checkFile}": expected a file name like order.check.ts inside the checks folder`)
  }
  return path.resolve(checksDir, checkFile)
}

/** The site a check walks: its own baseUrl, else KEPT_CHECKS_BASE_URL, else the demo shop. */
export function checkBaseUrl(definition: Pick<CheckDefinition, 'baseUrl'>, env: NodeJS.ProcessEnv = process.env): string {
  return definition.baseUrl ?? env.KEPT_CHECKS_BASE_URL ?? `http://127.0.0.1:${env.KEPT_DEMO_PORT || 4100}`
}
