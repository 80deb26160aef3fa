import { describe, expect, it } from 'vitest'
import { PGlite } from '@electric-sql/pglite'
import { eq } from 'drizzle-orm'
import { wrapPglite } from '../../src/db/client.ts'
import { promises } from '../../src/db/schema.ts'
import { useFreshDatabase } from '../support/db.ts'

describe('migrations', () => {
  const pg = useFreshDatabase()

  it('apply to Postgres, twice without harm, and the schema round-trips a promise', async () => {
    await pg.migrate()
    const [row] = await pg.db
      .insert(promises)
      .values({ title: 'Order online in 3 clicks', journey: 'go to http://127.0.0.1/', budgets: { maxClicks: 3 } })
      .returning()
    const [read] = await pg.db.select().from(promises).where(eq(promises.id, row!.id))
    expect(read?.budgets).toEqual({ maxClicks: 3 })
    expect(read?.state).toBe('pending')
  })

  // PGlite (WASM) is slow to open and migrate on two busy cores.
  it('apply to PGlite (Postgres 18) as well', { timeout: 120_000 }, async () => {
    const lite = wrapPglite(new PGlite())
    await lite.migrate()
    await lite.migrate()
    const rows = await lite.db.insert(promises).values({ title: 'Checkout in under a minute' }).returning()
    expect(rows[0]?.detractorRate).toBe(0.25)
    await lite.close()
  })
})
