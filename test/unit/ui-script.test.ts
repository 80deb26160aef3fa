import { Script } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { claimFinderScript } from '../../src/ui/assets/claim-finder-script.ts'
import { script } from '../../src/ui/assets/script.ts'

// The page script lives in a template string: one unescaped \n or \s there
// breaks every page's live help, and only a browser test would notice.
describe('the page script', () => {
  it('parses as JavaScript', () => {
    expect(() => new Script(script, { filename: 'kept.js' })).not.toThrow()
  })

  it("and the claim finder's part parses too", () => {
    expect(() => new Script(claimFinderScript, { filename: 'claim-finder.js' })).not.toThrow()
  })
})
