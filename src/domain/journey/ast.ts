// The parsed form of a plain-language journey: one step a line.
// Values may hold {{secrets.NAME}} placeholders and the run's own values
// ({{run.id}}, {{run.email}}, {{today}}); the runner fills them in.

interface StepBase {
  /** 1-based line in the journey text. */
  line: number
  /** The source line as written (trimmed), secrets still as placeholders. */
  text: string
}

/**
 * Which element a step means, when its name alone is not enough:
 * `the 2nd "Add to cart"`, `"Add to cart" in "Sauce Labs Backpack"`,
 * `test id "shopping-cart-link"`. Every field but the name is optional.
 */
export interface Which {
  /** `test id "…"`: `target` is a data-testid, data-test, data-test-id or data-cy value, matched exactly. */
  testId?: true
  /** `the 2nd …` (1-based), or -1 for `the last …`. */
  nth?: number
  /** `… in "…"`: inside the smallest part of the page that shows this text and holds exactly one such target. */
  within?: string
}

export type Step =
  | (StepBase & { kind: 'goto'; url: string })
  | (StepBase & Which & { kind: 'click'; target: string; double?: true })
  | (StepBase & Which & { kind: 'fill'; target: string; value: string; press?: string })
  | (StepBase & Which & { kind: 'select'; option: string; target: string })
  | (StepBase & Which & { kind: 'check'; target: string })
  | (StepBase & Which & { kind: 'uncheck'; target: string })
  | (StepBase & Which & { kind: 'hover'; target: string })
  | (StepBase & Which & { kind: 'scrollTo'; target: string })
  | (StepBase & { kind: 'press'; key: string })
  | (StepBase & { kind: 'expectText'; expected: string; within?: string })
  | (StepBase & { kind: 'expectNoText'; expected: string; within?: string })
  | (StepBase & { kind: 'expectUrl'; contains: string })
  | (StepBase & { kind: 'waitFor'; expected: string; within?: string })
  | (StepBase & { kind: 'wait'; seconds: number })

export type StepKind = Step['kind']

/** A step without its place in the text: what a step does, nothing more. */
export type StepSpec = Step extends infer S ? (S extends Step ? Omit<S, 'line' | 'text'> : never) : never

/** The steps that act on one element of the page, found by its name. */
export type TargetStep = Extract<Step, { target: string }>

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
