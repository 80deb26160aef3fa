import { makeBadge } from 'badge-maker'
import { PUBLIC_STATE_WORDS, type PublicState } from '../domain/status.ts'

// A promise's state as a shields.io-style badge, made by badge-maker (the
// shields.io project's own renderer), for a README or a shop's footer.

const COLOURS: Record<PublicState, string> = { kept: '#1f8a5b', broken: '#c4321f', maintenance: '#1a5fd0', unchecked: '#6b7785' }

export function stateBadge(title: string, state: PublicState): string {
  return makeBadge({ label: title.length > 60 ? `${title.slice(0, 59)}…` : title, message: PUBLIC_STATE_WORDS[state].toLowerCase(), color: COLOURS[state] })
}
