import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { StepSpec } from '../../src/domain/journey/ast.ts'
import { formatParseError, parseJourney } from '../../src/domain/journey/parse.ts'
import { renderStep } from '../../src/domain/journey/render.ts'

// Free text: any characters but line breaks, and no "{" so that only the
// generated placeholders form {{…}}.
// The characters the parser treats specially come often.
const freeText = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', '\\', '\u201C', '\u201D', '\u201E', '#', ' ', '\t', '\u00A0', '}', 'a', 'Z'),
      fc.string({ unit: 'binary', maxLength: 4 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''))
  .filter((s) => !/[\r\n{]/.test(s))
const secretName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/)
const placeholder = secretName.map((name) => `{{secrets.${name}}}`)
/** A value: free text with, now and then, secret placeholders inside. */
const value = fc
  .array(fc.oneof({ weight: 4, arbitrary: freeText }, { weight: 1, arbitrary: placeholder }), { maxLength: 4 })
  .map((parts) => parts.join(''))
const nonEmpty = value.filter((s) => s.trim() !== '')

const url = fc.webUrl({ withQueryParameters: true, withFragments: true })
const key = fc.oneof(
  fc.constantFrom('Enter', 'Tab', 'Escape', 'ArrowDown', 'PageUp', 'F12', 'Space', 'Control+a', 'Shift+Tab', 'Meta+Shift+K', 'Shift++'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((s) => !/[\r\n]/.test(s)),
)

const goto = url.map((u): StepSpec => ({ kind: 'goto', url: u }))
/** Which one: maybe a position, a test id (no spaces), a part of the page. */
const which = fc
  .record(
    {
      target: nonEmpty,
      testId: fc.constant(true as const),
      nth: fc.oneof(fc.integer({ min: 1, max: 120 }), fc.constant(-1)),
      within: nonEmpty,
    },
    { requiredKeys: ['target'] },
  )
  .map((w) => (w.testId ? { ...w, target: w.target.replace(/\s/g, '') || 'id' } : w))
const run = fc.constantFrom('{{run.id}}', '{{run.email}}', '{{today}}')
const withRun = fc.tuple(value, run, value).map((parts) => parts.join(''))
const stepSpec: fc.Arbitrary<StepSpec> = fc.oneof(
  goto,
  fc.tuple(which, fc.boolean()).map(([w, double]): StepSpec => ({ kind: 'click', ...w, ...(double ? { double: true as const } : {}) })),
  fc.tuple(which, fc.oneof(value, withRun), fc.option(key, { nil: undefined })).map(([w, v, press]): StepSpec => ({ kind: 'fill', ...w, value: v, ...(press === undefined ? {} : { press }) })),
  fc.tuple(nonEmpty, which).map(([option, w]): StepSpec => ({ kind: 'select', option, ...w })),
  which.map((w): StepSpec => ({ kind: 'check', ...w })),
  which.map((w): StepSpec => ({ kind: 'uncheck', ...w })),
  which.map((w): StepSpec => ({ kind: 'hover', ...w })),
  which.map((w): StepSpec => ({ kind: 'scrollTo', ...w })),
  key.map((k): StepSpec => ({ kind: 'press', key: k })),
  fc.record({ expected: nonEmpty, within: nonEmpty }, { requiredKeys: ['expected'] }).map((t): StepSpec => ({ kind: 'expectText', ...t })),
  fc.record({ expected: nonEmpty, within: nonEmpty }, { requiredKeys: ['expected'] }).map((t): StepSpec => ({ kind: 'expectNoText', ...t })),
  nonEmpty.map((contains): StepSpec => ({ kind: 'expectUrl', contains })),
  fc.record({ expected: nonEmpty, within: nonEmpty }, { requiredKeys: ['expected'] }).map((t): StepSpec => ({ kind: 'waitFor', ...t })),
  fc.integer({ min: 1, max: 60_000 }).map((ms): StepSpec => ({ kind: 'wait', seconds: ms / 1000 })),
)
/** What may stand between or after steps without changing them. */
const filler = fc.constantFrom('', '   ', '# a comment', '  # "quoted" {{ not a secret', '\t')
const trailing = fc.constantFrom('', '  ', ' # why this step', '\t#')

const journey = fc.tuple(goto, fc.array(stepSpec, { maxLength: 25 }))
  .map(([first, rest]) => [first, ...rest])
  .chain((specs) =>
    fc.tuple(
      fc.constant(specs),
      fc.array(fc.array(filler, { maxLength: 2 }), { minLength: specs.length, maxLength: specs.length }),
      fc.array(trailing, { minLength: specs.length, maxLength: specs.length }),
    ),
  )

const secretsOf = (specs: StepSpec[]) => {
  const names = specs.flatMap((s) => Object.values(s).join('\n').match(/\{\{secrets\.(\w+)\}\}/g) ?? [])
  return [...new Set(names.map((p) => p.slice('{{secrets.'.length, -2)))]
}

describe('journey language properties', () => {
  it('render → parse gives back the same steps, lines, texts and secrets', () => {
    fc.assert(
      fc.property(journey, ([specs, fillers, trailings]) => {
        const lines: string[] = []
        const expectedLines: number[] = []
        specs.forEach((spec, i) => {
          lines.push(...fillers[i]!)
          lines.push(renderStep(spec) + trailings[i]!)
          expectedLines.push(lines.length)
        })
        const result = parseJourney(lines.join('\n'))
        if (!result.ok) throw new Error(result.errors.map(formatParseError).join('\n'))
        expect(result.journey.steps.map(({ line: _line, text: _text, ...spec }) => spec)).toEqual(specs)
        expect(result.journey.steps.map((s) => s.line)).toEqual(expectedLines)
        for (const s of result.journey.steps) expect(s.text).toBe(lines[s.line - 1]!.trim())
        expect(result.journey.secrets).toEqual(secretsOf(specs))
      }),
      { numRuns: 300 },
    )
  })

  // Text that looks like a journey, with the characters that matter.
  const journeyish = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          'go to ', 'https://shop.example.com', 'click ', 'tap', 'fill ', ' with ', 'select ', ' in ', 'check ',
          'uncheck ', 'press ', 'Enter', 'ctrl+', 'expect ', 'url ', 'contains ', 'wait ', 'for ', '"', '\u201C',
          'the ', '2nd ', '0th ', 'last ', 'test id ', ' in ', ' and press ', 'hover ', 'double ', 'scroll to ', 'no ',
          '9999 ', '2 ', 'seconds', 'ms', '{{run.id}}', '{{today}}',
          '\u201D', '\\', '#', ' # ', '{{', 'secrets.', 'NAME', '}}', ' ', '\t', '\n', '\r\n', '\r', 'x', '\u00A0',
        ),
        fc.string({ unit: 'binary', maxLength: 5 }),
      ),
      { maxLength: 60 },
    )
    .map((parts) => parts.join(''))

  it('never throws, and every error points at a place inside the text', () => {
    fc.assert(
      fc.property(fc.oneof(journeyish, fc.string({ unit: 'binary' })), (text) => {
        const result = parseJourney(text)
        const lines = text.split(/\r\n|\r|\n/)
        if (result.ok) {
          expect(result.journey.steps[0]!.kind).toBe('goto')
          for (const s of result.journey.steps) expect(s.text).toBe(lines[s.line - 1]!.trim())
          return
        }
        expect(result.errors.length).toBeGreaterThan(0)
        const errorLines = result.errors.map((e) => e.line)
        // One error a line at most, in line order.
        expect(new Set(errorLines).size).toBe(errorLines.length)
        expect([...errorLines].sort((a, b) => a - b)).toEqual(errorLines)
        for (const e of result.errors) {
          expect(Number.isInteger(e.line) && Number.isInteger(e.column)).toBe(true)
          expect(e.line).toBeGreaterThanOrEqual(1)
          expect(e.line).toBeLessThanOrEqual(lines.length)
          // Column length + 1 is the end of the line ("found the end of the line").
          expect(e.column).toBeGreaterThanOrEqual(1)
          expect(e.column).toBeLessThanOrEqual(lines[e.line - 1]!.length + 1)
          expect(e.message).toMatch(/^expected .+, found /)
        }
      }),
      { numRuns: 1000 },
    )
  })
})
