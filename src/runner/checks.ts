import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { z } from 'zod'
import type { CheckDefinition } from '../check.ts'

export type { CheckContext, CheckDefinition } from '../check.ts'

const positive = z.number().positive()

// Validates what a check file exports: a typo in a budget or a schedule
// names the file and the field instead of surfacing at the first run.
const definitionSchema = z.object({
  title: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  budgets: z
    .object({
      maxClicks: z.number().int().min(0).optional(),
      maxSeconds: positive.optional(),
      maxStepSeconds: positive.optional(),
      maxLcpMs: positive.optional(),
      maxA11yViolations: z.number().int().min(0).optional(),
    })
    .strict()
    .optional(),
  schedule: z
    .union([
      z.object({ everySeconds: z.number().int().min(10).max(7 * 86400) }).strict(),
      z.object({ cron: z.string().min(1), timezone: z.string().optional() }).strict(),
    ])
    .optional(),
  dailyCustomers: z.number().min(0).optional(),
  detractorRate: z.number().min(0).max(1).optional(),
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
