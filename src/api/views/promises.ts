import DataLoader from 'dataloader'
import { and, asc, eq, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { breaks, promises, runs } from '../../db/schema.ts'
import type { PromiseJson } from '../schemas/promise.ts'
import { showsState } from '../../db/promise-state.ts'
import { regionState, regionVerdicts, type StoredRegion } from '../../domain/region.ts'
import { shownState, type PromiseState } from '../../domain/run.ts'
import { iso } from '../router.ts'

export type PromiseRow = typeof promises.$inferSelect

// A promise as the API shows it: its row with its channels, its last run
// and its open break, read in one query (a status read is one round trip).
// The hot reads are prepared once per database and shape: drizzle builds
// this select in JavaScript, which costs several times the query itself.

const viewColumns = {
  row: promises,
  channels: sql<string>`coalesce((select string_agg(pc.channel_id::text, ',' order by pc.channel_id::text)
    from promise_channels pc where pc.promise_id = ${promises.id}), '')`,
  lastRun: { id: runs.id, outcome: runs.outcome, startedAt: runs.startedAt, durationMs: runs.durationMs, clicks: runs.clicks },
  openBreak: { id: breaks.id, openedAt: breaks.openedAt, acknowledgedAt: breaks.acknowledgedAt, acknowledgedBy: breaks.acknowledgedBy },
  /** Its verdict in each region walked so far (promise_regions), as JSON. */
  regionStates: sql<StoredRegion[] | string>`coalesce((select json_agg(json_build_object('region', pr.region, 'state', pr.state, 'lastRunAt', pr.last_run_at) order by pr.region)
    from promise_regions pr where pr.promise_id = ${promises.id}), '[]')`,
}


/** Promises with everything their view needs; `extra` adds columns (a cursor key). */
export function selectPromiseViews<E extends Record<string, SQL.Aliased | SQL>>(db: Db, extra: E = {} as E) {
  return db
    .select({ ...viewColumns, ...extra })
    .from(promises)
    .leftJoin(runs, eq(runs.id, promises.lastRunId))
    // The first open break: one a region may be open at once (src/recorder/record.ts).
    .leftJoin(
      breaks,
      eq(breaks.id, sql`(select b.id from breaks b where b.promise_id = ${promises.id} and b.resolved_at is null order by b.opened_at, b.region limit 1)`),
    )
}

export type PromiseViewRow = {
  row: PromiseRow
  channels: string
  lastRun: { id: string; outcome: string; startedAt: Date; durationMs: number; clicks: number } | null
  openBreak: { id: string; openedAt: Date; acknowledgedAt: Date | null; acknowledgedBy: string | null } | null
  regionStates: StoredRegion[] | string
}

type Prepared = { execute(values: Record<string, unknown>): Promise<unknown> }
const prepared = new WeakMap<Db, Map<string, Prepared>>()

function preparedQuery(db: Db, name: string, build: () => Prepared): Prepared {
  let queries = prepared.get(db)
  if (!queries) prepared.set(db, (queries = new Map()))
  let query = queries.get(name)
  if (!query) queries.set(name, (query = build()))
  return query
}

/** The view of one promise, or null when there is no such promise. */
export async function loadPromiseView(db: Db, id: string): Promise<PromiseJson | null> {
  const query = preparedQuery(db, 'promise_view', () =>
    selectPromiseViews(db).where(eq(promises.id, sql.placeholder('id'))).prepare('promise_view'),
  )
  const [found] = (await query.execute({ id })) as PromiseViewRow[]
  return found ? toPromiseView(found) : null
}

/** The views of many promises in one query, in the order asked (null: no such promise). */
export async function loadPromiseViews(db: Db, ids: readonly string[]): Promise<(PromiseJson | null)[]> {
  const query = preparedQuery(db, 'promise_views', () =>
    selectPromiseViews(db)
      // One text parameter, however many ids (see recordResults).
      .where(sql`${promises.id} = any(string_to_array(${sql.placeholder('ids')}, ',')::uuid[])`)
      .prepare('promise_views'),
  )
  const found = new Map(((await query.execute({ ids: ids.join(',') })) as PromiseViewRow[]).map((r) => [r.row.id, r]))
  return ids.map((id) => {
    const row = found.get(id)
    return row ? toPromiseView(row) : null
  })
}

/**
 * Background renewals of cached statuses (read-cache.ts) that come within
 * this long share one query: a dashboard polling 1,000 statuses costs ~50
 * queries a second instead of 1,000, and no request waits for them.
 */
const RENEWAL_WINDOW_MS = 20
const renewals = new WeakMap<Db, DataLoader<string, PromiseJson | null>>()

/** The view of one promise for a background renewal, batched with the others of its window. */
export function renewPromiseView(db: Db, id: string): Promise<PromiseJson | null> {
  let loader = renewals.get(db)
  if (!loader) {
    loader = new DataLoader((ids: readonly string[]) => loadPromiseViews(db, ids), {
      cache: false,
      maxBatchSize: 500,
      batchScheduleFn: (run) => setTimeout(run, RENEWAL_WINDOW_MS),
    })
    renewals.set(db, loader)
  }
  return loader.load(id)
}

export interface PromiseListQuery {
  limit: number
  /** The sort key and id of the last promise of the previous page. */
  after: { key: string; id: string } | null
  state?: PromiseState
  /** A marketing or tech owner's email. */
  owner?: string
}

/** Up to limit promises in (created_at, id) order, each with its cursor key. */
export async function listPromiseViews(db: Db, query: PromiseListQuery): Promise<(PromiseViewRow & { cursorKey: string })[]> {
  const stateKind = query.state === undefined ? 'any' : query.state === 'paused' || query.state === 'overdue' ? query.state : 'stored'
  const shape = `promise_list_${query.after ? 'after' : 'first'}_${stateKind}_${query.owner === undefined ? 'all' : 'owner'}`
  const list = preparedQuery(db, shape, () => {
    const filters: (SQL | undefined)[] = []
    if (query.after) {
      filters.push(sql`(${promises.createdAt}, ${promises.id}) > (cast(${sql.placeholder('afterKey')} as timestamptz), cast(${sql.placeholder('afterId')} as uuid))`)
    }
    if (stateKind === 'paused' || stateKind === 'overdue') filters.push(showsState(stateKind))
    if (stateKind === 'stored') filters.push(showsState('stored', sql.placeholder('state')))
    if (query.owner !== undefined) {
      filters.push(or(eq(promises.marketingOwner, sql.placeholder('owner')), eq(promises.techOwner, sql.placeholder('owner'))))
    }
    return selectPromiseViews(db, { cursorKey: sql<string>`${promises.createdAt}::text` })
      .where(and(...filters))
      .orderBy(asc(promises.createdAt), asc(promises.id))
      .limit(sql.placeholder('limit'))
      .prepare(shape)
  })
  return (await list.execute({
    limit: query.limit,
    afterKey: query.after?.key,
    afterId: query.after?.id,
    state: query.state,
    owner: query.owner,
  })) as (PromiseViewRow & { cursorKey: string })[]
}

/** The regions' verdicts of a row: a JSON aggregate, which a driver may hand back as text. */
export function storedRegions(stored: StoredRegion[] | string): StoredRegion[] {
  return typeof stored === 'string' ? (JSON.parse(stored) as StoredRegion[]) : stored
}

/** The view with each region's state told by the live regions (src/queue/regions.ts). */
export function withLiveRegions(view: PromiseJson, live: ReadonlySet<string>): PromiseJson {
  return {
    ...view,
    regions: view.regions.map((r) => {
      const stored = r.state === 'not_walked' ? 'pending' : r.state
      return { ...r, state: live.has(r.region) ? stored : regionState(stored, false) }
    }),
  }
}

export function toPromiseView({ row, channels, lastRun, openBreak, regionStates }: PromiseViewRow): PromiseJson {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    source: row.source,
    checkFile: row.checkFile,
    journey: row.journey,
    budgets: row.budgets,
    schedule:
      row.scheduleEverySeconds != null
        ? { everySeconds: row.scheduleEverySeconds }
        : row.scheduleCron
          ? { cron: row.scheduleCron, timezone: row.scheduleTimezone }
          : null,
    dailyCustomers: row.dailyCustomers,
    detractorRate: row.detractorRate,
    device: row.device,
    marketingOwner: row.marketingOwner,
    techOwner: row.techOwner,
    channels: channels === '' ? [] : channels.split(','),
    paused: row.paused,
    breakAfter: row.breakAfter,
    resolveAfter: row.resolveAfter,
    confirmBroken: row.confirmBroken,
    public: row.public,
    publicTitle: row.publicTitle,
    claimUrl: row.claimUrl,
    claimDrift: row.claimDrift ?? null,
    state: shownState(row),
    regions: regionVerdicts(row.regions, storedRegions(regionStates)).map((v) => ({ region: v.region, state: v.state, lastRunAt: iso(v.lastRunAt) })),
    lastRunAt: iso(row.lastRunAt),
    overdueSince: iso(row.overdueSince),
    lastRun: lastRun ? { ...lastRun, startedAt: lastRun.startedAt.toISOString() } as PromiseJson['lastRun'] : null,
    openBreak: openBreak
      ? { id: openBreak.id, openedAt: openBreak.openedAt.toISOString(), acknowledgedAt: iso(openBreak.acknowledgedAt), acknowledgedBy: openBreak.acknowledgedBy }
      : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}
