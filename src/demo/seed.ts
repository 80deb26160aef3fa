import { DEFAULT_REGION } from '../domain/region.ts'
import { count, eq } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { promises } from '../db/schema.ts'

type NewPromise = typeof promises.$inferInsert

/** The three demo promises, walked against the bundled demo shop. */
export function demoPromises(shopUrl: string): NewPromise[] {
  const order = [
    `go to ${shopUrl}/`,
    'click "Shop now"',
    'click "Add to cart"',
    'click "Place order"',
    'expect "Order confirmed"',
  ]
  const common = {
    source: 'demo' as const,
    scheduleEverySeconds: 60,
    marketingOwner: 'marketing@demo.kept.local',
    techOwner: 'tech@demo.kept.local',
    breakAfter: 2,
    resolveAfter: 1,
    // Shown on the demo's public status page (/status).
    public: true,
  }
  return [
    {
      ...common,
      title: 'Order online in 3 clicks',
      description: 'From the home page to a confirmed order, a customer clicks three times.',
      journey: order.join('\n'),
      budgets: { maxClicks: 3, maxSeconds: 60 },
      dailyCustomers: 1200,
    },
    {
      ...common,
      title: 'Checkout in under a minute',
      description: 'Paying takes less than a minute, and no step keeps the customer waiting.',
      journey: ['# the same path, judged on time', ...order, 'expect url contains "/order/"'].join('\n'),
      budgets: { maxSeconds: 60, maxStepSeconds: 10 },
      dailyCustomers: 800,
    },
    {
      ...common,
      title: 'Find a store in 2 clicks',
      description: 'Opening hours of the nearest store, two clicks from the home page.',
      journey: [`go to ${shopUrl}/`, 'click "Stores"', 'click "Paris"', 'expect "Open 9:00"'].join('\n'),
      budgets: { maxClicks: 2, maxSeconds: 30 },
      dailyCustomers: 300,
      device: 'phone',
    },
  ]
}

/**
 * Seeds the demo on a database with no promises at all. Returns the ids
 * it created (none when there was anything already).
 */
export async function seedDemo(db: Db, shopUrl: string, region = DEFAULT_REGION): Promise<string[]> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select({ n: count() }).from(promises)
    if ((row?.n ?? 0) > 0) return []
    // Walked by `kept start`'s own worker, of the default region.
    const created = await tx
      .insert(promises)
      .values(demoPromises(shopUrl).map((p) => ({ ...p, regions: [region] })))
      .returning({ id: promises.id })
    return created.map((c) => c.id)
  })
}

/** True when demo promises exist, so the shop must be served again. */
export async function hasDemoPromises(db: Db): Promise<boolean> {
  const rows = await db.select({ id: promises.id }).from(promises).where(eq(promises.source, 'demo')).limit(1)
  return rows.length > 0
}
