import { and, asc, eq, type SQL } from 'drizzle-orm'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import type { Db } from '../db/client.ts'
import { afterCursor, cursorKey, decodeCursor, toPage, type Page } from './pagination.ts'
import { notFound } from './problem.ts'
import { requireUuid } from './router.ts'

// The two reads most resources share: one row by its id (or a 404), and a
// page of rows in the order they were made.

type WithId = PgTable & { id: PgColumn }
type Keyed = WithId & { createdAt: PgColumn }

/** The row of `table` with this id; a 404 naming `what` when there is none (or the id is no UUID). */
export async function rowOr404<T extends WithId>(db: Db, table: T, id: string, what: string): Promise<T['$inferSelect']> {
  const rows = (await db
    .select()
    .from(table as PgTable)
    .where(eq(table.id, requireUuid(id, what)))) as T['$inferSelect'][]
  if (!rows[0]) throw notFound(what, id)
  return rows[0]
}

/** A page of `table`'s rows, oldest first, after the query's cursor and matching `where`, each shown by `view`. */
export async function pageByCreation<T extends Keyed, V>(
  db: Db,
  table: T,
  query: { limit: number; cursor?: string | undefined },
  view: (row: T['$inferSelect']) => V,
  where?: SQL,
): Promise<Page<V>> {
  const rows = (await db
    .select({ row: table as PgTable, cursorKey: cursorKey(table.createdAt) })
    .from(table as PgTable)
    .where(and(afterCursor(decodeCursor(query.cursor), table.createdAt, table.id, 'asc', 'timestamptz'), where))
    .orderBy(asc(table.createdAt), asc(table.id))
    .limit(query.limit + 1)) as { row: T['$inferSelect'] & { id: string }; cursorKey: string }[]
  return toPage(rows.map((r) => ({ ...r, id: r.row.id })), query.limit, (r) => view(r.row))
}
