import { Script } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { script } from '../../src/ui/assets/script.ts'

// The page script lives in a template string: one unescaped \n or \s there
// breaks every page's live help, and only a browser test would notice.
describe('the page script', () => {
  it('parses as JavaScript', () => {
    expect(() => new Script(script, { filename: 'kept.js' })).not.toThrow()
  })
})
