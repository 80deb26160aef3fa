import type { Role } from '../db/schema.ts'

// Who may do what. One table for the API and the pages, so a route's role
// check and the test that walks roles × routes read the same truth.

export type Action =
  | 'read' // every page and GET route
  | 'promise.write' // create, edit, pause, delete promises; secrets
  | 'promise.run' // run now, try it now
  | 'break.ack' // acknowledge breaks, add notes
  | 'channel.write' // alert channels, routing, test messages, maintenance windows
  | 'user.admin' // users and API tokens of others

const grants: Record<Role, readonly Action[]> = {
  admin: ['read', 'promise.write', 'promise.run', 'break.ack', 'channel.write', 'user.admin'],
  marketing: ['read', 'promise.write', 'promise.run'],
  tech: ['read', 'promise.run', 'break.ack', 'channel.write'],
  viewer: ['read'],
}

export const ROLES: readonly Role[] = ['admin', 'marketing', 'tech', 'viewer']

export function can(role: Role, action: Action): boolean {
  return grants[role].includes(action)
}

/** Who is asking: a signed-in user or an API token. */
export interface Principal {
  kind: 'session' | 'token'
  /** null for tokens made by `kept token create`, which belong to no user. */
  userId: string | null
  /** An email for users, the token's name for tokens. */
  name: string
  role: Role
}
