import { describe, expect, it } from 'vitest'
import type { StepSpec } from '../../src/domain/journey/ast.ts'
import { normalizeKey } from '../../src/domain/journey/keys.ts'
import { quote, renderJourney, renderStep } from '../../src/domain/journey/render.ts'
import { fillRunValues, runValues } from '../../src/domain/journey/run-values.ts'
import { fillSecrets, scanPlaceholders, secretPlaceholder } from '../../src/domain/journey/secrets.ts'

describe('secret placeholders', () => {
  it('scans names in order and finds the first malformed {{', () => {
    expect(scanPlaceholders('{{secrets.A}} and {{ secrets.B_2 }} and {{secrets.A}}')).toEqual({
      names: ['A', 'B_2', 'A'],
      malformedAt: null,
    })
    expect(scanPlaceholders('ok {{secrets.A}} bad {{secret.B}}')).toEqual({ names: ['A'], malformedAt: 21 })
    expect(scanPlaceholders('{ } }} {x}')).toEqual({ names: [], malformedAt: null })
    expect(scanPlaceholders('{{')).toEqual({ names: [], malformedAt: 0 })
  })

  it('fills every placeholder with its value', () => {
    expect(fillSecrets('{{secrets.USER}}:{{ secrets.PW }}@{{secrets.USER}}', { USER: 'ana', PW: 'p$1' })).toBe(
      'ana:p$1@ana',
    )
    expect(fillSecrets('no secrets', {})).toBe('no secrets')
  })

  it('names a missing secret, never a value', () => {
    expect(() => fillSecrets('{{secrets.PW}}', { USER: 'ana' })).toThrow('the secret PW is not set for this promise')
    // Inherited properties are not secrets.
    expect(() => fillSecrets('{{secrets.toString}}', {})).toThrow('toString')
  })

  it('writes a placeholder', () => {
    expect(secretPlaceholder('SHOP_USER')).toBe('{{secrets.SHOP_USER}}')
  })
})

describe('run values', () => {
  const runId = '3F2504E0-4F89-11D3-9A0C-0305E82C3301'

  it('scans run placeholders as valid, naming no secret', () => {
    expect(scanPlaceholders('{{run.id}} {{ run.email }} {{today}} {{secrets.A}}')).toEqual({ names: ['A'], malformedAt: null })
    expect(scanPlaceholders('{{run.ID}}')).toEqual({ names: [], malformedAt: 0 })
    expect(scanPlaceholders('{{run}}')).toEqual({ names: [], malformedAt: 0 })
  })

  it('makes an id, an address and a date of each run', () => {
    const now = new Date('2026-12-31T23:30:00Z')
    expect(runValues(runId, now)).toEqual({ id: '3f2504e04f89', email: 'kept-3f2504e04f89@example.com', today: '2026-12-31' })
    // The date is the zone's: already the next day in Paris.
    expect(runValues(runId, now, { emailDomain: 'tests.shop.example', timezone: 'Europe/Paris' })).toEqual({
      id: '3f2504e04f89',
      email: 'kept-3f2504e04f89@tests.shop.example',
      today: '2027-01-01',
    })
    expect(runValues('another-run-id-000', now).id).not.toBe(runValues(runId, now).id)
  })

  it('fills every run placeholder and leaves secrets to fillSecrets', () => {
    const run = { id: 'abc', email: 'kept-abc@example.com', today: '2026-12-01' }
    expect(fillRunValues('{{run.email}} / {{ run.id }} on {{today}} {{secrets.PW}}', run)).toBe('kept-abc@example.com / abc on 2026-12-01 {{secrets.PW}}')
  })
})

describe('key names', () => {
  it('maps written keys to Playwright names', () => {
    const keys: [string, string][] = [
      ['enter', 'Enter'],
      ['ESC', 'Escape'],
      ['cmd+shift+p', 'Meta+Shift+p'],
      ['ControlOrMeta+K', 'ControlOrMeta+K'],
      ['pgdn', 'PageDown'],
      ['Shift', 'Shift'],
      ['Control++', 'Control++'],
      ['Control + Shift + K', 'Control+Shift+K'],
      [' ', ' '],
    ]
    for (const [input, expected] of keys) expect(normalizeKey(input), String(input)).toBe(expected)
  })

  it('rejects what Playwright would not press', () => {
    for (const bad of ['', 'Entr', 'a+b', 'Enter+a', 'Control+', '+Control', 'F13']) expect(normalizeKey(bad)).toBeNull()
  })
})

describe('render', () => {
  it('escapes quotes and backslashes', () => {
    expect(quote('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"')
  })

  it('writes the canonical spelling of each step', () => {
    expect(
      renderJourney([
        { kind: 'goto', url: 'https://shop.example.com/#top' },
        { kind: 'goto', url: 'https://shop.example.com/a b' },
        { kind: 'click', target: 'Add to cart' },
        { kind: 'fill', target: 'Email', value: '{{secrets.USER}}' },
        { kind: 'select', option: 'Large', target: 'Size' },
        { kind: 'check', target: 'Terms' },
        { kind: 'uncheck', target: 'News' },
        { kind: 'press', key: 'Enter' },
        { kind: 'expectText', expected: 'Done' },
        { kind: 'expectUrl', contains: '/done' },
        { kind: 'waitFor', expected: 'Ready' },
      ]),
    ).toBe(
      [
        'go to https://shop.example.com/#top',
        'go to "https://shop.example.com/a b"',
        'click "Add to cart"',
        'fill "Email" with "{{secrets.USER}}"',
        'select "Large" in "Size"',
        'check "Terms"',
        'uncheck "News"',
        'press "Enter"',
        'expect "Done"',
        'expect url contains "/done"',
        'wait for "Ready"',
      ].join('\n'),
    )
    expect(renderStep({ kind: 'goto', url: '"odd"' })).toBe('go to "\\"odd\\""')
  })

  it('writes which one, and the new steps', () => {
    const written: [StepSpec, string][] = [
      [{ kind: 'click', target: 'Add to cart', within: 'Backpack' }, 'click "Add to cart" in "Backpack"'],
      [{ kind: 'click', target: 'Add to cart', nth: 2 }, 'click the 2nd "Add to cart"'],
      [{ kind: 'click', target: 'x', nth: 11 }, 'click the 11th "x"'],
      [{ kind: 'click', target: 'x', nth: 23 }, 'click the 23rd "x"'],
      [{ kind: 'click', target: 'x', nth: -1, double: true }, 'double click the last "x"'],
      [{ kind: 'click', target: 'cart', testId: true }, 'click test id "cart"'],
      [{ kind: 'fill', target: 'Todo', value: 'Milk', press: 'Enter' }, 'fill "Todo" with "Milk" and press "Enter"'],
      [{ kind: 'select', option: 'L', target: 'Size', nth: 1, within: 'Mug' }, 'select "L" in the 1st "Size" in "Mug"'],
      [{ kind: 'hover', target: 'Menu' }, 'hover "Menu"'],
      [{ kind: 'scrollTo', target: 'Reviews' }, 'scroll to "Reviews"'],
      [{ kind: 'expectNoText', expected: 'Error', within: 'Cart' }, 'expect no "Error" in "Cart"'],
      [{ kind: 'wait', seconds: 1 }, 'wait 1 second'],
      [{ kind: 'wait', seconds: 0.25 }, 'wait 0.25 seconds'],
    ]
    for (const [step, text] of written) expect(renderStep(step)).toBe(text)
  })
})
