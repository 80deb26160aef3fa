import { describe, expect, it } from 'vitest'
import { PGlite } from '@electric-sql/pglite'
import { eq, sql } from 'drizzle-orm'
import { wrapPglite, type Db } from '../../src/db/client.ts'
import { promises, runRollups, runRollupsDaily } from '../../src/db/schema.ts'
import { useFreshDatabase } from '../support/db.ts'

/** Hourly rollups written as the recorder and retention write them; the days follow. */
async function expectDailyRollupsFollow(db: Db, promiseId: string) {
  const hour = (iso: string) => new Date(iso)
  const upsert = (rows: (typeof runRollups.$inferInsert)[]) =>
    db
      .insert(runRollups)
      .values(rows)
      .onConflictDoUpdate({ target: [runRollups.promiseId, runRollups.hour], set: { runs: sql`excluded.runs`, kept: sql`excluded.kept`, broken: sql`excluded.broken` } })
  await upsert([
    { promiseId, hour: hour('2026-12-06T22:00:00Z'), runs: 10, kept: 10 },
    { promiseId, hour: hour('2026-12-06T23:00:00Z'), runs: 10, kept: 8, broken: 2 },
    { promiseId, hour: hour('2026-12-07T00:00:00Z'), runs: 4, kept: 4 },
  ])
  // The 23:00 hour recomputed with more runs, a new hour inserted in the same statement.
  await upsert([
    { promiseId, hour: hour('2026-12-06T23:00:00Z'), runs: 12, kept: 9, broken: 3 },
    { promiseId, hour: hour('2026-12-07T01:00:00Z'), runs: 6, kept: 5, broken: 1 },
  ])
  await db.update(runRollups).set({ errors: 1 }).where(eq(runRollups.hour, hour('2026-12-07T00:00:00Z')))
  const days = await db.select().from(runRollupsDaily).where(eq(runRollupsDaily.promiseId, promiseId)).orderBy(runRollupsDaily.day)
  expect(days.map((d) => [d.day, d.runs, d.kept, d.broken, d.errors])).toEqual([
    ['2026-12-06', 22, 19, 3, 0],
    ['2026-12-07', 10, 9, 1, 1],
  ])
}

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
    await expectDailyRollupsFollow(pg.db, row!.id)
  })

  // PGlite (WASM) is slow to open and migrate on two busy cores.
  it('apply to PGlite (Postgres 18) as well', { timeout: 120_000 }, async () => {
    const lite = wrapPglite(new PGlite())
    await lite.migrate()
    await lite.migrate()
    const rows = await lite.db.insert(promises).values({ title: 'Checkout in under a minute' }).returning()
    expect(rows[0]?.detractorRate).toBe(0.25)
    await expectDailyRollupsFollow(lite.db, rows[0]!.id)
    await lite.close()
  })
})
