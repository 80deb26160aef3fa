// Where the alerts of a promise go: an alert always reaches someone, or
// Kept says that it cannot. Pure; src/alerts/routing.ts reads the inputs.

export type AlertRoute =
  /** The channels the promise names. */
  | { via: 'channels'; channelIds: string[] }
  /** The default channels: the promise names none. */
  | { via: 'default'; channelIds: string[] }
  /** No channel at all: its tech owner, by email. */
  | { via: 'owner'; recipient: string }
  | { via: 'nowhere' }

export interface RouteInput {
  /** Channel ids the promise names (deleted channels are already gone). */
  named: readonly string[]
  /** Channel ids marked default. */
  defaults: readonly string[]
  techOwner: string | null
}

/** The promise's channels, else the default channels, else its tech owner by email. Ids sorted: locks are taken in order. */
export function chooseRoute(input: RouteInput): AlertRoute {
  if (input.named.length > 0) return { via: 'channels', channelIds: [...input.named].sort() }
  if (input.defaults.length > 0) return { via: 'default', channelIds: [...input.defaults].sort() }
  const owner = input.techOwner?.trim()
  if (owner) return { via: 'owner', recipient: owner }
  return { via: 'nowhere' }
}

/** The idempotency-key part of a delivery without a channel (deliveryKey's third part). */
export const OWNER_TARGET = 'owner'

/** How a delivery to an owner is named wherever it is shown. */
export function ownerLabel(recipient: string): string {
  return `tech owner ${recipient}`
}
