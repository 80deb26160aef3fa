import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { z } from 'zod'
import type { CheckDefinition } from '../check.ts'
import { MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS, cronScheduleProblem, textProblem } from '../domain/promise-limits.ts'
import { budgetsSchema } from '../promises/budgets-schema.ts'

export type { CheckContext, CheckDefinition } from '../check.ts'

const text = (max: number) =>
  z
    .string()
    .max(max, `expected at most ${max} characters`)
    .superRefine((value, ctx) => {
      const problem = textProblem(value)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    })

// Validates what a check file exports: a typo in a budget or a schedule
// names the file and the field instead of surfacing at the first run.
// The limits are every door's (src/domain/promise-limits.ts).
const definitionSchema = z.object({
  title: text(200).pipe(z.string().trim().min(1, 'expected the promise in marketing words')),
  description: text(2000).optional(),
  budgets: budgetsSchema.optional(),
  schedule: z
    .union([
      z
        .object({
          everySeconds: z
            .number()
            .int('expected a whole number of seconds')
            .min(MIN_INTERVAL_SECONDS, `expected at least ${MIN_INTERVAL_SECONDS} seconds`)
            .max(MAX_INTERVAL_SECONDS, `expected at most a week (${MAX_INTERVAL_SECONDS} seconds)`),
        })
        .strict(),
      z
        .object({ cron: z.string().min(1), timezone: z.string().optional() })
        .strict()
        .superRefine((value, ctx) => {
          const problem = cronScheduleProblem(value.cron, value.timezone ?? null)
          if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem.message })
        }),
    ])
    .optional(),
  dailyCustomers: z.number().int('expected a whole number of customers a day').min(0, 'expected 0 or more').optional(),
  detractorRate: z.number().min(0, 'expected a share from 0 to 1').max(1, 'expected a share from 0 to 1').optional(),
  device: z.enum(['desktop', 'phone']).optional(),
  marketingOwner: z.string().email().optional(),
  techOwner: z.string().email().optional(),
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
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(the export)'}: ${issue.message}`)
    throw new Error(`${name}: invalid promise: ${problems.join('; ')}`)
  }
  return result.data as CheckDefinition
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
