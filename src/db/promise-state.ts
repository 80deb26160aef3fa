import { and, eq, isNotNull, isNull, ne, or, sql, type Placeholder, type SQL } from 'drizzle-orm'
import type { PromiseState, StoredState } from '../domain/run.ts'
import { promises } from './schema.ts'

// domain/run.ts's shownState, for queries that list and count by it.

export const shownStateSql = sql<PromiseState>`case when ${promises.paused} then 'paused' when ${promises.overdueSince} is not null and ${promises.state} <> 'broken' then 'overdue' else ${promises.state} end`

/**
 * Promises that show `state`. A stored state is given as a value or a
 * placeholder (prepared queries), and matches only the promises that are
 * not shown as overdue instead; the break index still serves it.
 */
export function showsState(state: 'paused' | 'overdue'): SQL
export function showsState(state: 'stored', stored: StoredState | Placeholder): SQL
export function showsState(state: 'paused' | 'overdue' | 'stored', stored?: StoredState | Placeholder): SQL {
  if (state === 'paused') return eq(promises.paused, true)
  if (state === 'overdue') return and(eq(promises.paused, false), isNotNull(promises.overdueSince), ne(promises.state, 'broken'))!
  return and(eq(promises.paused, false), eq(promises.state, stored!), or(isNull(promises.overdueSince), eq(promises.state, 'broken')))!
}

/** The showsState call for a shown state. */
export function showsShownState(state: PromiseState): SQL {
  return state === 'paused' || state === 'overdue' ? showsState(state) : showsState('stored', state)
}
