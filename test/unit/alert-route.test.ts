import { describe, expect, it } from 'vitest'
import { chooseRoute } from '../../src/domain/alert-route.ts'

describe('chooseRoute: an alert always reaches someone, or Kept says it cannot', () => {
  it.each([
    ['the promise names channels', { named: ['b', 'a'], defaults: ['d'], techOwner: 'tom@example.com' }, { via: 'channels', channelIds: ['a', 'b'] }],
    ['it names none: the default channels', { named: [], defaults: ['d2', 'd1'], techOwner: 'tom@example.com' }, { via: 'default', channelIds: ['d1', 'd2'] }],
    ['no channel at all: its tech owner', { named: [], defaults: [], techOwner: ' tom@example.com ' }, { via: 'owner', recipient: 'tom@example.com' }],
    ['no channel, no owner: nowhere', { named: [], defaults: [], techOwner: null }, { via: 'nowhere' }],
    ['a blank owner is no owner', { named: [], defaults: [], techOwner: '  ' }, { via: 'nowhere' }],
  ] as const)('%s', (_name, input, expected) => {
    expect(chooseRoute({ named: [...input.named], defaults: [...input.defaults], techOwner: input.techOwner })).toEqual(expected)
  })
})
