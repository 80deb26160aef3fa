import { eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { channels, promiseChannels, promises } from '../db/schema.ts'
import type { z } from '@hono/zod-openapi'
import { walksNow } from '../domain/walk-now.ts'
import type { PromiseScheduler } from '../queue/scheduler-port.ts'
import { DEFAULT_REGION } from '../domain/region.ts'
import type { RegionDirectory } from '../queue/regions.ts'
import { journeyProblems, unknownChannel, unknownRegion, type PromiseProblem, type Schedule, type promiseRules } from './rules.ts'

// What every door does to a promise (the API's routes, the form's pages):
// the checks that need the database or the journey parser, the transaction,
// and the scheduler call after it. Check files keep their own upsert by
// file name (services/check-sync.ts), judged by the same rules.

export type PromiseRow = typeof promises.$inferSelect

type Rules = typeof promiseRules
type Given = 'title' | 'description' | 'journey' | 'budgets' | 'schedule' | 'dailyCustomers' | 'detractorRate' | 'device' | 'marketingOwner' | 'techOwner' | 'channels'
// regions may be left out: the default region (KEPT_REGION).

/** A promise's fields, as the rulebook (rules.ts) gives them once validated; the break settings may be left to their defaults. */
export type PromiseInput = { [K in Given]: z.output<Rules[K]> } & { [K in Exclude<keyof Rules, Given>]?: z.output<Rules[K]> }

/** Input a rule refused, by field: the API answers 422, the form shows each next to its field. */
export class PromiseInputError extends Error {
  constructor(readonly problems: PromiseProblem[]) {
    super(`${problems[0]!.path}: ${problems[0]!.message}`)
    this.name = 'PromiseInputError'
  }
}

/** The promise was saved, but its scheduler could not be told (Redis away): it walks once the keeper reconciles. */
export class NotScheduledError extends Error {
  constructor(
    readonly promiseId: string,
    cause: unknown,
  ) {
    super(`the promise was saved, but its schedule was not: ${(cause as Error)?.message ?? String(cause)}; it is put back within seconds once Redis answers`, { cause })
    this.name = 'NotScheduledError'
  }
}

export interface PromiseDeps {
  db: Db
  scheduler: PromiseScheduler
  /** The default region and the live ones: a region no worker announced is refused. Absent (tests without Redis): any well-formed name is taken. */
  regions?: RegionDirectory
}

export async function createPromise(deps: PromiseDeps, input: PromiseInput, by: { createdBy: string | null }): Promise<string> {
  input = { ...input, regions: input.regions ?? [deps.regions?.defaultRegion ?? DEFAULT_REGION] }
  await check(deps, input)
  const { channels: channelIds, schedule, ...rest } = input
  const id = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(promises)
      .values({ ...rest, ...scheduleColumns(schedule), source: 'form', createdBy: by.createdBy })
      .returning({ id: promises.id })
    await setChannels(tx, row!.id, channelIds)
    return row!.id
  })
  // A new promise is walked at once, not after its first interval.
  await tellScheduler(deps, id, !input.paused)
  return id
}

/** Change some fields; a change worth walking (walk-now.ts) is walked at once. */
export async function updatePromise(deps: PromiseDeps, existing: PromiseRow, changes: Partial<PromiseInput>): Promise<void> {
  if (changes.journey !== undefined && existing.checkFile) {
    throw new PromiseInputError([{ path: 'journey', message: `a code check's journey lives in checks/${existing.checkFile}; change the file instead` }])
  }
  await check(deps, changes, existing)
  const { channels: channelIds, schedule, ...rest } = changes
  await deps.db.transaction(async (tx) => {
    await tx
      .update(promises)
      .set({ ...rest, ...(schedule !== undefined ? scheduleColumns(schedule) : {}), updatedAt: new Date() })
      .where(eq(promises.id, existing.id))
    if (channelIds) await setChannels(tx, existing.id, channelIds)
  })
  const [updated] = await deps.db.select().from(promises).where(eq(promises.id, existing.id))
  if (updated) await tellScheduler(deps, existing.id, walksNow(existing, updated))
}

/** Paused: no walks, no scheduler. Resumed: walked at once, so its state is today's. */
export async function setPaused(deps: PromiseDeps, existing: PromiseRow, paused: boolean): Promise<void> {
  await deps.db.update(promises).set({ paused, updatedAt: new Date() }).where(eq(promises.id, existing.id))
  await tellScheduler(deps, existing.id, !paused)
}

/** Its runs, breaks and deliveries go with it (foreign keys cascade). */
export async function deletePromise(deps: PromiseDeps, existing: PromiseRow): Promise<void> {
  await deps.db.delete(promises).where(eq(promises.id, existing.id))
  await deps.scheduler.remove(existing.id)
}

async function tellScheduler(deps: PromiseDeps, id: string, walkNow: boolean): Promise<void> {
  try {
    await deps.scheduler.sync(id, { walkNow })
  } catch (error) {
    throw new NotScheduledError(id, error)
  }
}

/** What the rules cannot judge alone: the journey's steps, the channels and the regions that exist. */
async function check(deps: PromiseDeps, input: Partial<PromiseInput>, existing?: PromiseRow): Promise<void> {
  const { db } = deps
  const problems = input.journey !== undefined ? journeyProblems(input.journey) : []
  if (input.regions && deps.regions) problems.push(...(await regionProblems(deps.regions, input.regions, existing?.regions ?? [])))
  if (input.channels?.length) {
    const found = new Set((await db.select({ id: channels.id }).from(channels).where(inArray(channels.id, input.channels))).map((r) => r.id))
    input.channels.forEach((id, i) => {
      if (!found.has(id)) problems.push({ path: `channels.${i}`, message: unknownChannel(id) })
    })
  }
  if (problems.length > 0) throw new PromiseInputError(problems)
}

/**
 * Regions no journey worker has announced: a typo would leave the promise
 * walked nowhere. The default region, and those the promise already has,
 * are always taken (their workers may be restarting).
 */
async function regionProblems(directory: RegionDirectory, regions: string[], already: string[]): Promise<PromiseProblem[]> {
  const live = await directory.live()
  const known = new Set([directory.defaultRegion, ...live, ...already])
  return regions.flatMap((region, i) => (known.has(region) ? [] : [{ path: `regions.${i}`, message: unknownRegion(region, live) }]))
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

async function setChannels(tx: Tx, promiseId: string, ids: string[]): Promise<void> {
  await tx.delete(promiseChannels).where(eq(promiseChannels.promiseId, promiseId))
  const unique = [...new Set(ids)]
  if (unique.length > 0) await tx.insert(promiseChannels).values(unique.map((channelId) => ({ promiseId, channelId })))
}

function scheduleColumns(schedule: Schedule | null) {
  return {
    scheduleEverySeconds: schedule?.everySeconds ?? null,
    scheduleCron: schedule?.cron ?? null,
    scheduleTimezone: schedule?.cron ? (schedule.timezone ?? null) : null,
  }
}
