import { describe, expect, it } from 'vitest'
import { normalizeKey } from '../../src/domain/journey/keys.ts'
import { quote, renderJourney, renderStep } from '../../src/domain/journey/render.ts'
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
})
