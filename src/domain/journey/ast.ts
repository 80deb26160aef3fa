// The parsed form of a plain-language journey: one step a line.
// Values may hold {{secrets.NAME}} placeholders; the runner fills them in.

interface StepBase {
  /** 1-based line in the journey text. */
  line: number
  /** The source line as written (trimmed), secrets still as placeholders. */
  text: string
}

export type Step =
  | (StepBase & { kind: 'goto'; url: string })
  | (StepBase & { kind: 'click'; target: string })
  | (StepBase & { kind: 'fill'; target: string; value: string })
  | (StepBase & { kind: 'select'; option: string; target: string })
  | (StepBase & { kind: 'check'; target: string })
  | (StepBase & { kind: 'uncheck'; target: string })
  | (StepBase & { kind: 'press'; key: string })
  | (StepBase & { kind: 'expectText'; expected: string })
  | (StepBase & { kind: 'expectUrl'; contains: string })
  | (StepBase & { kind: 'waitFor'; expected: string })

export type StepKind = Step['kind']

/** A step without its place in the text: what a step does, nothing more. */
export type StepSpec = Step extends infer S ? (S extends Step ? Omit<S, 'line' | 'text'> : never) : never

export interface Journey {
  steps: Step[]
  /** Names of the secrets referenced, without duplicates. */
  secrets: string[]
}

export interface ParseError {
  line: number
  column: number
  message: string
}
