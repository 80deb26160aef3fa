import { gzipSync } from 'node:zlib'
import type { MiddlewareHandler } from 'hono'

// A short-lived cache of API reads ("microcaching"): a dashboard, a status
// page or a CI job asking for the same promise list or status many times a
// second costs one database read per key and ttlMs. A fresh answer comes
// from memory; a stale one (up to another ttlMs old) too, while one read in
// the background renews it, so no request waits on the database but the
// first of a key; concurrent first reads of one key share that read.
// Answers are the JSON of what every role allowed to read would see. Any
// change made through this process (a non-GET request that succeeds)
// drops everything, so a client sees its own changes at once; runs
// recorded meanwhile show within about 2 × ttlMs. A long answer is gzipped
// once per entry, on the first request that accepts it, not once a request.

export interface ReadCache {
  /**
   * The JSON (UTF-8) of produce(), from memory when it may be. `renewal` is
   * true when no request waits for the answer (a stale entry renewed in the
   * background), so produce may take its time, e.g. to batch.
   */
  json(key: string, produce: Produce, target?: string): Promise<CachedJson>
  /**
   * What json() would answer now, from memory and with nothing to start, to
   * the request target (path and query) it was told `target` for: a fresh
   * entry, or a stale one already being renewed; else undefined. For
   * answering a repeated read before Hono (fast-reads.ts).
   */
  ready(target: string): CachedJson | undefined
  /** What produce() made, from memory when it may be, as json() does: for answers made once per entry (a rendered page). */
  value<T>(key: string, produce: (renewal: boolean) => Promise<T>): Promise<T>
  /** App middleware: clears the cache after every successful change. */
  invalidator: MiddlewareHandler
  clear(): void
}

export type Produce = (renewal: boolean) => Promise<unknown>

export interface CachedJson {
  body: Uint8Array<ArrayBuffer>
  /** The body gzipped, made on first call; null when it is too short to gain from it. */
  gzipped: (() => Uint8Array<ArrayBuffer>) | null
}

const encoder = new TextEncoder()
/** Below about one TCP segment, gzip saves no round trip and costs CPU. */
export const MIN_GZIP_BYTES = 1024

function cachedJson(value: unknown): CachedJson {
  return cachedText(JSON.stringify(value))
}

/** Text as an answer's bytes, gzipped once on first need. */
export function cachedText(text: string): CachedJson {
  const body = encoder.encode(text)
  let gzipped: Uint8Array<ArrayBuffer> | undefined
  return {
    body,
    gzipped: body.byteLength < MIN_GZIP_BYTES ? null : () => (gzipped ??= new Uint8Array(gzipSync(body))),
  }
}

interface Entry {
  value: unknown
  at: number
  /** The generation its read began in: void once a change came after. */
  generation: number
  /** A renewal in flight, so a stale entry gets one. */
  renewing: boolean
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function createReadCache(options: { ttlMs: number; maxEntries?: number; now?: () => number }): ReadCache {
  const { ttlMs } = options
  const now = options.now ?? Date.now
  const maxEntries = options.maxEntries ?? 10_000
  const entries = new Map<string, Entry>()
  /** Request target → key: a key is a function of its target, so this never goes wrong, only grows (bounded). */
  const keysOf = new Map<string, string>()
  const firstReads = new Map<string, Promise<Entry>>()
  let generation = 0

  const clear = () => {
    generation += 1
    entries.clear()
    firstReads.clear()
  }

  /** Read and store; an entry read across a change is answered but not kept. */
  const read = async (key: string, produce: Produce, renewal: boolean): Promise<Entry> => {
    const began = generation
    const entry: Entry = { value: await produce(renewal), at: now(), generation: began, renewing: false }
    if (began === generation) {
      entries.delete(key)
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!)
      entries.set(key, entry)
    }
    return entry
  }

  const value = async <T,>(key: string, produce: (renewal: boolean) => Promise<T>): Promise<T> => {
    if (ttlMs <= 0) return produce(false)
    const entry = entries.get(key)
    const age = entry && entry.generation === generation ? now() - entry.at : Infinity
    if (age < ttlMs) return entry!.value as T
    if (age < 2 * ttlMs) {
      if (!entry!.renewing) {
        entry!.renewing = true
        read(key, produce, true).catch(() => entries.get(key) === entry && entries.delete(key))
      }
      return entry!.value as T
    }
    let first = firstReads.get(key)
    if (!first) {
      first = read(key, produce, false).finally(() => firstReads.get(key) === first && firstReads.delete(key))
      firstReads.set(key, first)
    }
    return (await first).value as T
  }

  const json = async (key: string, produce: Produce, target?: string) => {
    const answer = await value(key, async (renewal) => cachedJson(await produce(renewal)))
    if (target !== undefined && keysOf.get(target) !== key) {
      if (keysOf.size >= maxEntries) keysOf.delete(keysOf.keys().next().value!)
      keysOf.set(target, key)
    }
    return answer
  }

  const ready = (target: string): CachedJson | undefined => {
    const key = keysOf.get(target)
    const entry = key === undefined ? undefined : entries.get(key)
    if (!entry || entry.generation !== generation) return undefined
    const age = now() - entry.at
    return age < ttlMs || (age < 2 * ttlMs && entry.renewing) ? (entry.value as CachedJson) : undefined
  }

  const invalidator: MiddlewareHandler = async (c, next) => {
    await next()
    if (!SAFE_METHODS.has(c.req.method) && c.res.status < 400) clear()
  }

  return { json, ready, value, invalidator, clear }
}
