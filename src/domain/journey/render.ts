import type { StepSpec } from './ast.ts'

// Writes steps back as journey text, in the canonical spelling. The parser
// reads back exactly the same steps (a property the tests check).

/** A quoted text, with " and \ escaped. */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`
}

export function renderStep(step: StepSpec): string {
  switch (step.kind) {
    case 'goto':
      return `go to ${/^[^\s"\u201C\u201D\u201E]\S*$/.test(step.url) ? step.url : quote(step.url)}`
    case 'click':
      return `click ${quote(step.target)}`
    case 'fill':
      return `fill ${quote(step.target)} with ${quote(step.value)}`
    case 'select':
      return `select ${quote(step.option)} in ${quote(step.target)}`
    case 'check':
      return `check ${quote(step.target)}`
    case 'uncheck':
      return `uncheck ${quote(step.target)}`
    case 'press':
      return `press ${quote(step.key)}`
    case 'expectText':
      return `expect ${quote(step.expected)}`
    case 'expectUrl':
      return `expect url contains ${quote(step.contains)}`
    case 'waitFor':
      return `wait for ${quote(step.expected)}`
  }
}

export function renderJourney(steps: readonly StepSpec[]): string {
  return steps.map(renderStep).join('\n')
}
