import { z } from '@hono/zod-openapi'
import { failuresOf, type Failure, type StepResult } from '../../domain/run.ts'

export const StepSchema = z.object({
  line: z.number(),
  text: z.string(),
  outcome: z.enum(['passed', 'failed', 'skipped']),
  durationMs: z.number(),
  clicks: z.number().optional(),
  error: z.string().nullable(),
})

export const FailureSchema = z
  .object({
    kind: z.enum(['step', 'budget', 'error']),
    budget: z.string().nullable(),
    limit: z.number().nullable(),
    actual: z.number().nullable(),
    line: z.number().nullable(),
    message: z.string(),
  })
  .openapi('Failure')

export const RunSchema = z
  .object({
    id: z.string(),
    promiseId: z.string(),
    trigger: z.enum(['schedule', 'manual', 'confirm', 'test']),
    outcome: z.enum(['kept', 'at_risk', 'broken', 'error']),
    clicks: z.number(),
    durationMs: z.number(),
    startedAt: z.string(),
    finishedAt: z.string(),
    steps: z.array(StepSchema),
    failure: FailureSchema.nullable(),
    failures: z.array(FailureSchema).openapi({
      description: 'Every failure in order: the failed step, then each exceeded budget (a step may fail after a budget was blown). The first is `failure`.',
    }),
    vitals: z.object({ lcpMs: z.number().optional(), cls: z.number().optional(), a11yViolations: z.number().optional() }),
    confirmOf: z.string().nullable(),
    /** Relative to the server; needs the same authentication as the API. */
    screenshotUrl: z.string().nullable(),
    traceUrl: z.string().nullable(),
  })
  .openapi('Run')

export type RunJson = z.infer<typeof RunSchema>

/** Stored steps and failures may omit empty fields; the API always shows them, as null. */
export function stepJson(step: StepResult): z.infer<typeof StepSchema> {
  return { ...step, error: step.error ?? null }
}

export function failureJson(failure: Failure | null | undefined): z.infer<typeof FailureSchema> | null {
  if (!failure) return null
  return {
    kind: failure.kind,
    budget: failure.budget ?? null,
    limit: failure.limit ?? null,
    actual: failure.actual ?? null,
    line: failure.line ?? null,
    message: failure.message,
  }
}

/** Every failure of a run in order, as the API shows them (a run recorded before the list: its one failure). */
export function failuresJson(run: { failure: Failure | null; failures: Failure[] | null }): z.infer<typeof FailureSchema>[] {
  return failuresOf(run).map((failure) => failureJson(failure)!)
}
