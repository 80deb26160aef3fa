import type { StepSpec, Which } from './ast.ts'

// Writes steps back as journey text, in the canonical spelling. The parser
// reads back exactly the same steps (a property the tests check).

/** A quoted text, with " and \ escaped. */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`
}

/** 1st, 2nd, 3rd, 4th… 11th, 12th, 13th… 21st. */
export function ordinal(n: number): string {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')
  return `${n}${suffix}`
}

/** `the 2nd "Add to cart" in "Backpack"`, `test id "cart"`: a target as written. */
export function renderWhich(which: Which & { target: string }): string {
  const position = which.nth === undefined ? '' : `the ${which.nth === -1 ? 'last' : ordinal(which.nth)} `
  const name = which.testId ? `test id ${quote(which.target)}` : quote(which.target)
  return `${position}${name}${within(which.within)}`
}

const within = (text: string | undefined) => (text === undefined ? '' : ` in ${quote(text)}`)

export function renderStep(step: StepSpec): string {
  switch (step.kind) {
    case 'goto':
      return `go to ${/^[^\s"\u201C\u201D\u201E]\S*$/.test(step.url) ? step.url : quote(step.url)}`
    case 'click':
      return `${step.double ? 'double click' : 'click'} ${renderWhich(step)}`
    case 'fill':
      return `fill ${renderWhich(step)} with ${quote(step.value)}${step.press === undefined ? '' : ` and press ${quote(step.press)}`}`
    case 'select':
      return `select ${quote(step.option)} in ${renderWhich(step)}`
    case 'check':
    case 'uncheck':
    case 'hover':
      return `${step.kind} ${renderWhich(step)}`
    case 'scrollTo':
      return `scroll to ${renderWhich(step)}`
    case 'press':
      return `press ${quote(step.key)}`
    case 'expectText':
      return `expect ${quote(step.expected)}${within(step.within)}`
    case 'expectNoText':
      return `expect no ${quote(step.expected)}${within(step.within)}`
    case 'expectUrl':
      return `expect url contains ${quote(step.contains)}`
    case 'waitFor':
      return `wait for ${quote(step.expected)}${within(step.within)}`
    case 'wait':
      return `wait ${step.seconds} ${step.seconds === 1 ? 'second' : 'seconds'}`
  }
}

export function renderJourney(steps: readonly StepSpec[]): string {
  return steps.map(renderStep).join('\n')
}
