import { describe, expect, it } from 'vitest'
import type { ParseError, Step } from '../../src/domain/journey/ast.ts'
import { formatParseError, MAX_LINE_LENGTH, MAX_STEPS, parseJourney } from '../../src/domain/journey/parse.ts'

const START = 'go to https://shop.example.com'

/** Parses a journey that must be valid and returns its steps. */
function steps(text: string): Step[] {
  const result = parseJourney(text)
  if (!result.ok) throw new Error(`expected a valid journey, got:\n${result.errors.map(formatParseError).join('\n')}`)
  return result.journey.steps
}

/** The one step after the opening go to. */
function step(line: string): Step {
  const all = steps(`${START}\n${line}`)
  expect(all).toHaveLength(2)
  return all[1]!
}

function errors(text: string): ParseError[] {
  const result = parseJourney(text)
  if (result.ok) throw new Error('expected parse errors, the journey parsed')
  return result.errors
}

/** The formatted errors of a journey that starts well. */
function errorsAfterStart(...lines: string[]): string[] {
  return errors([START, ...lines].join('\n')).map(formatParseError)
}

describe('parseJourney: verbs', () => {
  it('reads go to, and open / visit / navigate to as its aliases', () => {
    expect(steps(START)).toEqual([{ kind: 'goto', url: 'https://shop.example.com', line: 1, text: START }])
    for (const verb of ['open', 'visit', 'navigate to', 'goto', 'Go To', 'OPEN']) {
      expect(steps(`${verb} http://127.0.0.1:4100/shop?x=1`)[0]).toMatchObject({
        kind: 'goto',
        url: 'http://127.0.0.1:4100/shop?x=1',
      })
    }
  })

  it('accepts a quoted address, and later go to steps', () => {
    expect(steps(`go to "https://shop.example.com/a b"\ngo to https://other.example.com`)).toMatchObject([
      { kind: 'goto', url: 'https://shop.example.com/a b' },
      { kind: 'goto', url: 'https://other.example.com', line: 2 },
    ])
  })

  it('reads click and tap', () => {
    expect(step('click "Add to cart"')).toEqual({
      kind: 'click',
      target: 'Add to cart',
      line: 2,
      text: 'click "Add to cart"',
    })
    expect(step('tap "Shop now"')).toMatchObject({ kind: 'click', target: 'Shop now' })
    expect(step('CLICK "x"')).toMatchObject({ kind: 'click', target: 'x' })
  })

  it('reads fill … with, and allows an empty value (to clear a field)', () => {
    expect(step('fill "Email" with "ana@example.com"')).toMatchObject({
      kind: 'fill',
      target: 'Email',
      value: 'ana@example.com',
    })
    expect(step('Fill "Email" WITH ""')).toMatchObject({ kind: 'fill', target: 'Email', value: '' })
  })

  it('reads select … in, and select … from', () => {
    expect(step('select "Large" in "Size"')).toMatchObject({ kind: 'select', option: 'Large', target: 'Size' })
    expect(step('select "Large" from "Size"')).toMatchObject({ kind: 'select', option: 'Large', target: 'Size' })
  })

  it('reads check and uncheck', () => {
    expect(step('check "I accept the terms"')).toMatchObject({ kind: 'check', target: 'I accept the terms' })
    expect(step('uncheck "Newsletter"')).toMatchObject({ kind: 'uncheck', target: 'Newsletter' })
  })

  it('reads press with Playwright key names, quoted or not, in any case and with common aliases', () => {
    const keyOf = (line: string) => {
      const s = step(line)
      if (s.kind !== 'press') throw new Error(`not a press step: ${s.kind}`)
      return s.key
    }
    expect(keyOf('press "Enter"')).toBe('Enter')
    expect(keyOf('press enter')).toBe('Enter')
    expect(keyOf('press Return')).toBe('Enter')
    expect(keyOf('press esc')).toBe('Escape')
    expect(keyOf('press arrowdown')).toBe('ArrowDown')
    expect(keyOf('press Tab')).toBe('Tab')
    expect(keyOf('press F5')).toBe('F5')
    expect(keyOf('press "ctrl+a"')).toBe('Control+a')
    expect(keyOf('press Shift+Tab')).toBe('Shift+Tab')
    expect(keyOf('press Control+Shift+K')).toBe('Control+Shift+K')
    expect(keyOf('press "Shift++"')).toBe('Shift++')
    expect(keyOf('press "+"')).toBe('+')
    expect(keyOf('press a')).toBe('a')
    expect(keyOf('press "Control + A"')).toBe('Control+A')
  })

  it('reads expect "text", expect url contains and expect url to contain', () => {
    expect(step('expect "Order confirmed"')).toMatchObject({ kind: 'expectText', expected: 'Order confirmed' })
    expect(step('expect url contains "/checkout"')).toMatchObject({ kind: 'expectUrl', contains: '/checkout' })
    expect(step('Expect URL to contain "/checkout"')).toMatchObject({ kind: 'expectUrl', contains: '/checkout' })
    // A quoted "url" is a text to expect, not the keyword.
    expect(step('expect "url"')).toMatchObject({ kind: 'expectText', expected: 'url' })
  })

  it('reads wait for', () => {
    expect(step('wait for "Order confirmed"')).toMatchObject({ kind: 'waitFor', expected: 'Order confirmed' })
    expect(step('WAIT FOR "x"')).toMatchObject({ kind: 'waitFor', expected: 'x' })
  })
})

/** Each line after the opening go to reads as its step (line and text left out). */
function readsAs(cases: [string, Record<string, unknown>][]): void {
  for (const [line, expected] of cases) {
    const { line: _line, text: _text, ...spec } = step(line)
    expect(spec, line).toEqual(expected)
  }
}

describe('parseJourney: which one', () => {
  // A line after the opening go to, and the step it reads as (line and text left out).
  const cases: [string, Record<string, unknown>][] = [
    ['click "Add to cart" in "Sauce Labs Backpack"', { kind: 'click', target: 'Add to cart', within: 'Sauce Labs Backpack' }],
    ['click the 2nd "Add to cart"', { kind: 'click', target: 'Add to cart', nth: 2 }],
    ['click the last "Add to cart"', { kind: 'click', target: 'Add to cart', nth: -1 }],
    ['click the 1st "Add to cart"', { kind: 'click', target: 'Add to cart', nth: 1 }],
    ['click the first "Add to cart"', { kind: 'click', target: 'Add to cart', nth: 1 }],
    ['click the third "Add to cart"', { kind: 'click', target: 'Add to cart', nth: 3 }],
    ['click 3rd "Add to cart"', { kind: 'click', target: 'Add to cart', nth: 3 }],
    ['CLICK THE 21ST "x"', { kind: 'click', target: 'x', nth: 21 }],
    ['click test id "shopping-cart-link"', { kind: 'click', target: 'shopping-cart-link', testId: true }],
    ['click testid "cart"', { kind: 'click', target: 'cart', testId: true }],
    ['click the 2nd test id "remove" in "Cart"', { kind: 'click', target: 'remove', testId: true, nth: 2, within: 'Cart' }],
    ['tap the last "Buy" in "Latte mug"', { kind: 'click', target: 'Buy', nth: -1, within: 'Latte mug' }],
    ['fill "Quantity" in "Backpack" with "2"', { kind: 'fill', target: 'Quantity', within: 'Backpack', value: '2' }],
    ['fill the 2nd "Email" with "a@b.c"', { kind: 'fill', target: 'Email', nth: 2, value: 'a@b.c' }],
    ['select "Large" in "Size" in "Backpack"', { kind: 'select', option: 'Large', target: 'Size', within: 'Backpack' }],
    ['select "Large" from the last "Size"', { kind: 'select', option: 'Large', target: 'Size', nth: -1 }],
    ['check "Done" in "Buy milk"', { kind: 'check', target: 'Done', within: 'Buy milk' }],
    ['uncheck the 2nd "Gift wrap"', { kind: 'uncheck', target: 'Gift wrap', nth: 2 }],
    ['expect "Added" in "Sauce Labs Backpack"', { kind: 'expectText', expected: 'Added', within: 'Sauce Labs Backpack' }],
    ['wait for "Saved" in "Settings"', { kind: 'waitFor', expected: 'Saved', within: 'Settings' }],
    // "in" inside quotes is a name, not a scope.
    ['click "Sign in"', { kind: 'click', target: 'Sign in' }],
  ]

  it('reads the position, the test id and the part of the page', () => {
    readsAs(cases)
  })
})

describe('parseJourney: more steps', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['fill "New todo" with "Buy milk" and press Enter', { kind: 'fill', target: 'New todo', value: 'Buy milk', press: 'Enter' }],
    ['fill "Search" with "cups" AND PRESS "return"', { kind: 'fill', target: 'Search', value: 'cups', press: 'Enter' }],
    ['press "Tab"', { kind: 'press', key: 'Tab' }],
    ['press Tab', { kind: 'press', key: 'Tab' }],
    ['wait 2 seconds', { kind: 'wait', seconds: 2 }],
    ['wait 1 second', { kind: 'wait', seconds: 1 }],
    ['wait 1.5 s', { kind: 'wait', seconds: 1.5 }],
    ['wait 2s', { kind: 'wait', seconds: 2 }],
    ['wait 500 ms', { kind: 'wait', seconds: 0.5 }],
    ['wait 250ms', { kind: 'wait', seconds: 0.25 }],
    ['wait 1 minute', { kind: 'wait', seconds: 60 }],
    ['wait for "Order confirmed"', { kind: 'waitFor', expected: 'Order confirmed' }],
    ['hover "Menu"', { kind: 'hover', target: 'Menu' }],
    ['hover over the 2nd "Menu"', { kind: 'hover', target: 'Menu', nth: 2 }],
    ['double click "Title"', { kind: 'click', target: 'Title', double: true }],
    ['double-click "Title"', { kind: 'click', target: 'Title', double: true }],
    ['Double Tap "Title" in "Todo"', { kind: 'click', target: 'Title', within: 'Todo', double: true }],
    ['dblclick "Title"', { kind: 'click', target: 'Title', double: true }],
    ['scroll to "Reviews"', { kind: 'scrollTo', target: 'Reviews' }],
    ['scroll to the last "Review"', { kind: 'scrollTo', target: 'Review', nth: -1 }],
    ['expect no "Error"', { kind: 'expectNoText', expected: 'Error' }],
    ['expect not "Out of stock" in "Backpack"', { kind: 'expectNoText', expected: 'Out of stock', within: 'Backpack' }],
    ['fill "Email" with "{{run.email}}"', { kind: 'fill', target: 'Email', value: '{{run.email}}' }],
    ['fill "Name" with "Ana {{ run.id }} {{today}}"', { kind: 'fill', target: 'Name', value: 'Ana {{ run.id }} {{today}}' }],
  ]

  it('reads each new step, in its spellings', () => {
    readsAs(cases)
  })

  it('keeps run values out of the secrets', () => {
    const result = parseJourney(`go to https://shop.example.com/?d={{today}}\nfill "Email" with "{{run.email}}"`)
    expect(result.ok && result.journey.secrets).toEqual([])
  })

  // Bad input: each with its line, column, what was expected and what was found.
  const bad: [string, string][] = [
    ['click the 0th "Add to cart"', 'line 2, column 11: expected a position like 1st, 2nd, 3rd or last after the, found 0th'],
    ['click the "Add to cart"', 'line 2, column 11: expected a position like 1st, 2nd, 3rd or last after the, found "Add to cart"'],
    ['click the 2nd', 'line 2, column 14: expected a quoted target like "Add to cart" after 2nd, found the end of the line'],
    ['click "Add to cart" in ""', 'line 2, column 24: expected a quoted text like "Sauce Labs Backpack" after in, found an empty text ""'],
    ['click "Add to cart" in Backpack', 'line 2, column 24: expected a quoted text like "Sauce Labs Backpack" after in, found Backpack'],
    ['click test id "shopping cart"', 'line 2, column 15: expected a test id without spaces like "shopping-cart-link" after test id, found "shopping cart"'],
    ['click test id cart', 'line 2, column 15: expected a quoted test id like "shopping-cart-link" after test id, found cart'],
    ['fill "Todo" with "x" and press Entr', 'line 2, column 32: expected a key name such as Enter, Tab, Escape, ArrowDown or Control+A after press, found Entr'],
    ['fill "Todo" with "x" and Enter', 'line 2, column 26: expected press after and, found Enter'],
    ['press Bogus', 'line 2, column 7: expected a key name such as Enter, Tab, Escape, ArrowDown or Control+A after press, found Bogus'],
    ['wait 9999 seconds', 'line 2, column 6: expected a wait of at most 60 seconds (wait for "text" waits until it shows), found 9999 seconds'],
    ['wait 2 hours', 'line 2, column 8: expected seconds or ms after wait 2, found hours'],
    ['wait 2', 'line 2, column 7: expected seconds or ms after wait 2, found the end of the line'],
    ['wait 0 seconds', 'line 2, column 6: expected a wait longer than 0 seconds, found 0 seconds'],
    ['wait soon', 'line 2, column 6: expected for "text" or a time like 2 seconds after wait, found soon'],
    ['wait', 'line 2, column 5: expected for "text" or a time like 2 seconds after wait, found the end of the line'],
    ['hover Menu', 'line 2, column 7: expected a quoted target like "Menu" after hover, found Menu'],
    ['double "Title"', 'line 2, column 8: expected click or tap after double, found "Title"'],
    ['scroll "Reviews"', 'line 2, column 8: expected to after scroll, found "Reviews"'],
    ['expect no Error', 'line 2, column 11: expected a quoted text like "Error" after expect no, found Error'],
    ['expect "Added" in', 'line 2, column 18: expected a quoted text like "Sauce Labs Backpack" after in, found the end of the line'],
    ['fill "Email" with "{{run.mail}}"', 'line 2, column 20: expected a placeholder like {{secrets.NAME}} (letters, digits and _), {{run.id}}, {{run.email}} or {{today}}, found {{run.mail}}'],
    ['sleep 2 seconds', 'line 2, column 1: expected a step such as go to, click, fill, select, check, uncheck, press, hover, double click, scroll to, expect or wait, found sleep (did you mean wait 2 seconds?)'],
    ['hovr "Menu"', 'line 2, column 1: expected a step such as go to, click, fill, select, check, uncheck, press, hover, double click, scroll to, expect or wait, found hovr (did you mean hover?)'],
  ]

  it('names what was expected where, for bad input', () => {
    for (const [line, message] of bad) expect(errorsAfterStart(line), line).toEqual([message])
  })
})

describe('parseJourney: layout, comments and quotes', () => {
  it('ignores blank lines and comments, keeps 1-based line numbers and the trimmed source line', () => {
    const text = ['# Order online', '', `  ${START}  `, '\t', '   # a note', 'click "Shop now"   # the hero button'].join(
      '\n',
    )
    expect(steps(text)).toEqual([
      { kind: 'goto', url: 'https://shop.example.com', line: 3, text: START },
      { kind: 'click', target: 'Shop now', line: 6, text: 'click "Shop now"   # the hero button' },
    ])
  })

  it('accepts Windows and old Mac line ends', () => {
    expect(steps(`${START}\r\nclick "a"\rclick "b"`).map((s) => s.line)).toEqual([1, 2, 3])
  })

  it('keeps # inside quotes and inside an address', () => {
    expect(step('click "Item #3"')).toMatchObject({ target: 'Item #3' })
    expect(steps('go to https://shop.example.com/#top # comment')[0]).toMatchObject({
      url: 'https://shop.example.com/#top',
    })
  })

  it('resolves \\" and \\\\ escapes and keeps other backslashes', () => {
    expect(step('expect "Say \\"hi\\""')).toMatchObject({ expected: 'Say "hi"' })
    expect(step('expect "a\\\\b"')).toMatchObject({ expected: 'a\\b' })
    expect(step('expect "C:\\temp\\n"')).toMatchObject({ expected: 'C:\\temp\\n' })
  })

  it('accepts curly quotes pasted from documents', () => {
    expect(step('click \u201CAdd to cart\u201D')).toMatchObject({ target: 'Add to cart' })
    expect(step('fill \u201DEmail\u201D with \u201Cana@example.com"')).toMatchObject({
      target: 'Email',
      value: 'ana@example.com',
    })
    // An apostrophe or a curly quote inside straight quotes is just text.
    expect(step('expect "Don\u2019t miss \u201Cdeals\u201D"')).toMatchObject({ expected: 'Don\u2019t miss \u201Cdeals\u201D' })
  })

  it('keeps spaces inside quotes as written', () => {
    expect(step('expect "  two  spaces "')).toMatchObject({ expected: '  two  spaces ' })
  })

  it('separates tokens by any white space, non-breaking spaces too', () => {
    expect(step('click\u00A0\t"Shop now"')).toMatchObject({ kind: 'click', target: 'Shop now' })
  })
})

describe('parseJourney: steps pasted from a list', () => {
  it('ignores a leading number or bullet', () => {
    expect(steps(`1. ${START}\n2) click "Shop now"\n- click "Add"\n* expect "Added"\n\u2022 press Enter`)).toMatchObject([
      { kind: 'goto', line: 1, text: `1. ${START}` },
      { kind: 'click', target: 'Shop now' },
      { kind: 'click', target: 'Add' },
      { kind: 'expectText', expected: 'Added' },
      { kind: 'press', key: 'Enter' },
    ])
  })

  it('still points errors at the step after the marker', () => {
    expect(errorsAfterStart('3. click Add')).toEqual([
      'line 2, column 10: expected a quoted target like "Add to cart" after click, found Add',
    ])
    expect(errors('1. click "Buy"').map(formatParseError)).toEqual([
      'line 1, column 1: expected the journey to start with go to and a web address, like go to https://shop.example.com, found click',
    ])
    expect(errorsAfterStart('12.')[0]).toMatch(/^line 2, column 4: expected a step such as .*, found the end of the line$/)
  })
})

describe('parseJourney: secrets', () => {
  it('collects secret names once each, in order of first use, and keeps placeholders in values', () => {
    const result = parseJourney(
      [
        START,
        'fill "Email" with "{{secrets.SHOP_USER}}"',
        'fill "Password" with "{{ secrets.SHOP_PASSWORD }}"',
        'fill "Again" with "{{secrets.SHOP_USER}}-{{secrets.x_2}}"',
      ].join('\n'),
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.journey.secrets).toEqual(['SHOP_USER', 'SHOP_PASSWORD', 'x_2'])
    expect(result.journey.steps[1]).toMatchObject({ value: '{{secrets.SHOP_USER}}' })
    expect(result.journey.steps[2]).toMatchObject({ value: '{{ secrets.SHOP_PASSWORD }}' })
  })

  it('accepts secrets in an address, and a lone brace as text', () => {
    const result = parseJourney('go to https://shop.example.com/?token={{secrets.TOKEN}}\nexpect "{ok}"')
    expect(result.ok && result.journey.secrets).toEqual(['TOKEN'])
  })

  it('has no secrets when none are referenced', () => {
    const result = parseJourney(START)
    expect(result.ok && result.journey.secrets).toEqual([])
  })

  it('rejects a malformed placeholder, pointing at its {{', () => {
    expect(errorsAfterStart('fill "Password" with "{{secret.PW}}"')).toEqual([
      'line 2, column 23: expected a placeholder like {{secrets.NAME}} (letters, digits and _), {{run.id}}, {{run.email}} or {{today}}, found {{secret.PW}}',
    ])
    expect(errorsAfterStart('fill "a" with "x{{secrets.}}"')[0]).toMatch(/^line 2, column 17: .*found \{\{secrets\.\}\}$/)
    expect(errorsAfterStart('fill "a" with "{{secrets.1A}}"')[0]).toMatch(/^line 2, column 16: expected a placeholder/)
    expect(errorsAfterStart('fill "a" with "{{secrets.PW"')[0]).toMatch(/found \{\{secrets\.PW$/)
    expect(errorsAfterStart('expect "{{{secrets.A}}}"')[0]).toMatch(/^line 2, column 9: expected a placeholder/)
    expect(errorsAfterStart('click "{{secrets.A-B}}"')[0]).toMatch(/^line 2, column 8: expected a placeholder/)
  })

  it('counts columns in the source even after escapes', () => {
    // The \" before it takes two columns in the source, one in the value.
    expect(errorsAfterStart('expect "\\"{{x}}"')[0]).toMatch(/^line 2, column 11: expected a placeholder/)
  })
})

describe('parseJourney: errors', () => {
  it('names line, column, what was expected and what was found', () => {
    expect(errorsAfterStart('', 'click Add to cart')).toEqual([
      'line 3, column 7: expected a quoted target like "Add to cart" after click, found Add',
    ])
  })

  it('reports every bad line, one error each, in line order', () => {
    const found = errorsAfterStart(
      'click Add to cart',
      'click "fine"',
      'fill "Email" "ana@example.com"',
      'select "Large" "Size"',
      'check',
      'frobnicate "x"',
    )
    expect(found).toEqual([
      'line 2, column 7: expected a quoted target like "Add to cart" after click, found Add',
      'line 4, column 14: expected with after fill "Email", found "ana@example.com"',
      'line 5, column 16: expected in or from after select "Large", found "Size"',
      'line 6, column 6: expected a quoted checkbox like "I accept the terms" after check, found the end of the line',
      'line 7, column 1: expected a step such as go to, click, fill, select, check, uncheck, press, hover, double click, scroll to, expect or wait, found frobnicate',
    ])
  })

  // Each verb without one of its pieces, and the words that name it.
  const missingPieces: [string, string][] = [
    ['go', 'line 2, column 3: expected to after go, found the end of the line'],
    ['go to', 'line 2, column 6: expected a web address like https://shop.example.com after go to, found the end of the line'],
    ['fill "Email" with ana', 'line 2, column 19: expected a quoted value like "ana@example.com" after with, found ana'],
    ['fill Email with "a"', 'line 2, column 6: expected a quoted field like "Email" after fill, found Email'],
    ['select Large in "Size"', 'line 2, column 8: expected a quoted option like "Large" after select, found Large'],
    ['select "Large" in Size', 'line 2, column 19: expected a quoted field like "Size" after in, found Size'],
    ['uncheck Newsletter', 'line 2, column 9: expected a quoted checkbox like "I accept the terms" after uncheck, found Newsletter'],
    ['press', 'line 2, column 6: expected a key like "Enter" after press, found the end of the line'],
    ['press Entr', 'line 2, column 7: expected a key name such as Enter, Tab, Escape, ArrowDown or Control+A after press, found Entr'],
    ['expect Order confirmed', 'line 2, column 8: expected a quoted text like "Order confirmed", no "Error" or url contains "/checkout" after expect, found Order'],
    ['expect url "/checkout"', 'line 2, column 12: expected contains after expect url, found "/checkout"'],
    ['expect url to have "/checkout"', 'line 2, column 15: expected contain after expect url to, found have'],
    ['expect url contains /checkout', 'line 2, column 21: expected a quoted part of the address like "/checkout" after contains, found /checkout'],
    ['wait "Done"', 'line 2, column 6: expected for "text" or a time like 2 seconds after wait, found "Done"'],
    ['wait for Done', 'line 2, column 10: expected a quoted text like "Order confirmed" after wait for, found Done'],
  ]

  it('explains each missing piece of each verb', () => {
    for (const [step, message] of missingPieces) expect(errorsAfterStart(step), step).toEqual([message])
    expect(errorsAfterStart('press a+b')[0]).toMatch(/^line 2, column 7: expected a key name/)
    expect(errorsAfterStart('press Control+')[0]).toMatch(/^line 2, column 7: expected a key name/)
  })

  it('rejects empty targets and texts, but not an empty fill value', () => {
    expect(errorsAfterStart('click ""')).toEqual([
      'line 2, column 7: expected a quoted target like "Add to cart" after click, found an empty text ""',
    ])
    expect(errorsAfterStart('expect "   "')[0]).toMatch(/^line 2, column 8: .*found an empty text "   "$/)
    expect(errorsAfterStart('expect url contains ""')[0]).toMatch(/^line 2, column 21: /)
  })

  it('rejects words after a complete step, pointing at them', () => {
    expect(errorsAfterStart('click "Buy" now')).toEqual([
      'line 2, column 13: expected the end of the line after the step, found now (a comment starts with #)',
    ])
    expect(errorsAfterStart('click "Buy" "Now"')[0]).toMatch(/^line 2, column 13: .*found "Now"/)
  })

  it('rejects an unterminated quote, pointing at the opening quote', () => {
    expect(errorsAfterStart('click "Add to cart')).toEqual([
      'line 2, column 7: expected a closing quote for the text that starts at column 7, found the end of the line',
    ])
    // An escaped quote does not close the text.
    expect(errorsAfterStart('click "Add\\"')[0]).toMatch(/^line 2, column 7: expected a closing quote/)
  })

  it('suggests the verb that was probably meant', () => {
    expect(errorsAfterStart('clik "Buy"')[0]).toMatch(/found clik \(did you mean click\?\)$/)
    expect(errorsAfterStart('expext "Done"')[0]).toMatch(/found expext \(did you mean expect\?\)$/)
    expect(errorsAfterStart('type "ana" into "Email"')[0]).toMatch(/\(did you mean fill "Field" with "value"\?\)$/)
    expect(errorsAfterStart('see "Done"')[0]).toMatch(/\(did you mean expect "text"\?\)$/)
    expect(errorsAfterStart('"Buy"')).toEqual([
      'line 2, column 1: expected a step such as go to, click, fill, select, check, uncheck, press, hover, double click, scroll to, expect or wait, found "Buy"',
    ])
  })

  it('requires a first step that goes to an absolute http(s) address', () => {
    expect(errors('').map(formatParseError)).toEqual([
      'line 1, column 1: expected a first step like go to https://shop.example.com, found no steps',
    ])
    expect(errors('# just a comment\n\n').map(formatParseError)).toEqual([
      'line 1, column 1: expected a first step like go to https://shop.example.com, found no steps',
    ])
    expect(errors('\n  click "Buy"').map(formatParseError)).toEqual([
      'line 2, column 3: expected the journey to start with go to and a web address, like go to https://shop.example.com, found click',
    ])
    expect(errors('go to shop.example.com').map(formatParseError)).toEqual([
      'line 1, column 7: expected an absolute web address starting with http:// or https:// after go to, found shop.example.com',
    ])
    expect(errors('go to ftp://shop.example.com')[0]!.message).toMatch(/found ftp:\/\/shop.example.com$/)
    expect(errors('go to https://')[0]!.message).toMatch(/found https:\/\/$/)
    expect(errors('go to http://[::1')[0]!.message).toMatch(/absolute web address/)
    // Later go to steps need an absolute address too.
    expect(errorsAfterStart('go to /cart')[0]).toMatch(/^line 2, column 7: expected an absolute web address/)
  })

  it('does not add a second error when the first line is already wrong', () => {
    expect(errors('clik "Buy"\nclick "x"')).toHaveLength(1)
  })

  it('limits a journey to 200 steps, and says so', () => {
    const ok = [START, ...Array.from({ length: MAX_STEPS - 1 }, (_, i) => `click "Item ${i}"`)].join('\n')
    expect(steps(ok)).toHaveLength(MAX_STEPS)
    const tooMany = `${ok}\n\n  click "one more"\nclick "and another"`
    expect(errors(tooMany).map(formatParseError)).toEqual([
      'line 202, column 3: expected at most 200 steps in a journey, found 202; split it into several promises',
    ])
  })

  it('limits a line to 2,000 characters, and says so', () => {
    const fits = `expect "${'x'.repeat(MAX_LINE_LENGTH - 9)}"`
    expect(fits).toHaveLength(MAX_LINE_LENGTH)
    expect(step(fits)).toMatchObject({ kind: 'expectText' })
    const tooLong = `expect "${'x'.repeat(MAX_LINE_LENGTH - 8)}"`
    expect(errorsAfterStart(tooLong)).toEqual([
      'line 2, column 2001: expected at most 2000 characters on a line, found 2001',
    ])
  })
})

describe('formatParseError', () => {
  it('puts the place first, as editors do', () => {
    expect(formatParseError({ line: 3, column: 7, message: 'expected x, found y' })).toBe(
      'line 3, column 7: expected x, found y',
    )
  })
})
