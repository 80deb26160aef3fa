import { z } from '@hono/zod-openapi'
import { sql, type AnyColumn, type SQL } from 'drizzle-orm'
import { ApiError } from './problem.ts'
import { isUuid } from './router.ts'

// Cursor pagination: `{items, nextCursor}`. The cursor is opaque to clients:
// base64url JSON of the last item's sort key and id. The key is read as
// Postgres text, so timestamps keep their microseconds and no row is
// skipped or repeated between pages.

export const MAX_LIMIT = 100

export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int('expected a whole number')
    .min(1, 'expected 1 to 100')
    .max(MAX_LIMIT, 'expected 1 to 100')
    .default(50)
    .openapi({ param: { name: 'limit', in: 'query' }, example: 50 }),
  cursor: z.string().optional().openapi({ param: { name: 'cursor', in: 'query' }, description: 'nextCursor of the previous page' }),
})

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() })

export interface Cursor {
  key: string
  id: string
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.key, cursor.id])).toString('base64url')
}

export function decodeCursor(text: string | undefined): Cursor | null {
  if (!text) return null
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === 2) {
      const [key, id] = value as unknown[]
      if (typeof key === 'string' && typeof id === 'string' && isUuid(id)) return { key, id }
    }
  } catch {
    // fall through
  }
  const message = 'expected the nextCursor of a previous page'
  throw new ApiError(422, `query.cursor: ${message}`, [{ path: 'query.cursor', message }])
}

/** The sort key as text, to select next to the row and put in its cursor. */
export const cursorKey = (column: AnyColumn) => sql<string>`${column}::text`

/** Rows after the cursor, in (key, id) order; `type` is the key's SQL type. */
export function afterCursor(
  cursor: Cursor | null,
  key: AnyColumn,
  id: AnyColumn,
  order: 'asc' | 'desc',
  type: 'timestamptz' | 'text',
): SQL | undefined {
  if (!cursor) return undefined
  const cmp = order === 'desc' ? sql`<` : sql`>`
  return sql`(${key}, ${id}) ${cmp} (cast(${cursor.key} as ${sql.raw(type)}), cast(${cursor.id} as uuid))`
}

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

/** Given limit + 1 rows, the page and the cursor of its last item (null on the last page). */
export function toPage<R extends { id: string; cursorKey: string }, T>(rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return {
    items: page.map(map),
    nextCursor: rows.length > limit && last ? encodeCursor({ key: last.cursorKey, id: last.id }) : null,
  }
}
