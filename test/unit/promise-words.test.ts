import { describe, expect, it } from 'vitest'
import { parseJourney } from '../../src/domain/journey/parse.ts'
import { promiseObjects, uncheckedWords } from '../../src/domain/promise-words.ts'

const steps = (...lines: string[]) => {
  const parsed = parseJourney(lines.join('\n'))
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  return parsed.journey.steps
}
const demoOrder = steps('go to http://127.0.0.1:4100/', 'click "Shop now"', 'click "Add to cart"', 'click "Place order"', 'expect "Order confirmed"')

describe('promiseObjects', () => {
  it.each([
    ['Customers can order a gift card online in 4 clicks', [['gift', 'card']]],
    ['Find a store in 2 clicks', [['store']]],
    ['Sign up for the newsletter in 30 seconds', [['newsletter']]],
    ['Sign-up for our Newsletter within a minute', [['newsletter']]],
    ['Book a table for two in 3 taps', [['table']]],
    ['Track your parcel in forty-five seconds', [['parcel']]],
    ['Buy gift cards and redeem vouchers online', [['gift', 'cards'], ['vouchers']]],
    ['Order online in 3 clicks', []],
    ['Checkout in under a minute', []],
    ['Pay in a tap', []],
    ['We promise!', []],
    ['Commander une carte cadeau en 3 clics', []],
    ['Bestellen Sie in 3 Klicks', []],
    ['', []],
  ])('%s', (title, objects) => {
    expect(promiseObjects(title)).toEqual(objects)
  })
})

describe('uncheckedWords', () => {
  it('warns when the journey never names what the promise is about, with the step to add', () => {
    expect(uncheckedWords('Customers can order a gift card online in 4 clicks', demoOrder)).toEqual([
      {
        words: 'gift card',
        message: 'Nothing in your steps checks for "gift card": add expect "Gift card" or click "Gift card"',
        suggestion: 'expect "Gift card"',
      },
    ])
  })

  it('finds the words in any step that checks: a click, an option, an expected text, a URL, in any case or plural', () => {
    const cases: [string, string[]][] = [
      ['Find a store in 2 clicks', ['click "Stores"']],
      ['Order a gift card in 4 clicks', ['click "Gift Cards"']],
      ['Order a gift card in 4 clicks', ['expect "Your giftcard is on its way"']],
      ['Order a gift card in 4 clicks', ['expect url contains "/gift-card/"']],
      ['Order a gift card in 4 clicks', ['go to https://shop.example.com/gift-cards']],
      ['Order a gift card in 4 clicks', ['select "Gift card" in "Product"']],
      ['Sign up for the newsletter in 30 seconds', ['wait for "Thanks for joining our NEWSLETTER"']],
      ['Order a box in 3 clicks', ['click "Boxes"']],
    ]
    for (const [title, lines] of cases) expect(uncheckedWords(title, steps('go to https://shop.example.com/', ...lines)), `${title} / ${lines}`).toEqual([])
  })

  it('is not fooled by a typed value or the shop address', () => {
    const typed = steps('go to https://giftcard.example.com/', 'fill "Search" with "gift card"', 'click "Search"')
    expect(uncheckedWords('Order a gift card in 3 clicks', typed).map((w) => w.words)).toEqual(['gift card'])
  })

  it('never warns on a title with nothing to check, another language, or a long journey', () => {
    const long = steps('go to https://shop.example.com/', ...Array.from({ length: 199 }, (_, i) => `expect "Item ${i}"`))
    expect(uncheckedWords('We promise!', long)).toEqual([])
    expect(uncheckedWords('Commander une carte cadeau en 3 clics', long)).toEqual([])
    expect(uncheckedWords('Order online in 3 clicks', demoOrder)).toEqual([])
    expect(uncheckedWords('Checkout in under a minute', demoOrder)).toEqual([])
  })
})
