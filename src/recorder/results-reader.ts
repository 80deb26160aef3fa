import type { RedisClient } from '../infra/redis.ts'
import { deadResultsKey, RECORDERS, resultsKey } from '../queue/results-stream.ts'

/** A results stream entry: its JSON, or null when the entry was deleted while still pending. */
export interface ResultEntry {
  id: string
  json: string | null
}

type RawEntry = [id: string, fields: string[] | null]

/**
 * One recorder's side of the results stream (consumer group RECORDERS):
 * read new entries, re-read its own unacknowledged ones, claim the ones a
 * dead recorder left, acknowledge (and delete) what is written.
 * `blocking` serves the blocking reads; `redis` everything else.
 */
export function resultsReader(redis: RedisClient, blocking: RedisClient, prefix: string, consumer: string) {
  const key = resultsKey(prefix)
  return {
    consumer,

    /** Creates the group if needed, from the stream's start: results published before any recorder ran are read too. */
    async ensureGroup(): Promise<void> {
      await redis.call('XGROUP', 'CREATE', key, RECORDERS, '0', 'MKSTREAM').catch((error: Error) => {
        if (!error.message.includes('BUSYGROUP')) throw error
      })
    },

    /** Up to `count` entries no recorder has read, waiting up to `blockMs` for the first. */
    async readNew(count: number, blockMs: number): Promise<ResultEntry[]> {
      const reply = await blocking.call('XREADGROUP', 'GROUP', RECORDERS, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', key, '>')
      return entriesOf(reply)
    },

    /** Up to `count` of this recorder's unacknowledged entries after `afterId`. */
    async readOwn(afterId: string, count: number): Promise<ResultEntry[]> {
      const reply = await redis.call('XREADGROUP', 'GROUP', RECORDERS, consumer, 'COUNT', count, 'STREAMS', key, afterId)
      return entriesOf(reply)
    },

    /** Takes over up to `count` entries unacknowledged for `minIdleMs` by any recorder (this one included). */
    async claimIdle(minIdleMs: number, cursor: string, count: number): Promise<{ entries: ResultEntry[]; cursor: string }> {
      const [next, raw] = (await redis.call('XAUTOCLAIM', key, RECORDERS, consumer, minIdleMs, cursor, 'COUNT', count)) as [string, RawEntry[]]
      return { entries: raw.map(toEntry), cursor: next }
    },

    /** Done with these entries: acknowledged and deleted in one round trip. */
    async acknowledge(ids: string[]): Promise<void> {
      if (ids.length === 0) return
      await redis.multi().xack(key, RECORDERS, ...ids).xdel(key, ...ids).exec()
    },

    /** Moves an entry no retry can record to the dead-letter stream, with the reason. */
    async deadLetter(entry: ResultEntry, reason: string): Promise<void> {
      await redis
        .multi()
        .xadd(deadResultsKey(prefix), 'MAXLEN', '~', 10_000, '*', 'result', entry.json ?? '', 'error', reason)
        .xack(key, RECORDERS, entry.id)
        .xdel(key, entry.id)
        .exec()
    },

    /**
     * Forgets recorders that hold nothing and were not heard from for
     * `minIdleMs` (they stopped without leaving); returns how many. A live
     * one forgotten by mistake is added back by its next read.
     */
    async forgetIdle(minIdleMs: number): Promise<number> {
      const consumers = ((await redis.call('XINFO', 'CONSUMERS', key, RECORDERS)) as unknown[][]).map(fieldsOf)
      const gone = consumers.filter((c) => c.name !== consumer && Number(c.pending) === 0 && Number(c.idle) >= minIdleMs)
      for (const c of gone) await redis.call('XGROUP', 'DELCONSUMER', key, RECORDERS, String(c.name))
      return gone.length
    },

    /** Removes this recorder from the group, unless it still holds entries (another recorder claims them then). */
    async leave(): Promise<void> {
      const mine = (await redis.call('XPENDING', key, RECORDERS, '-', '+', 1, consumer)) as unknown[]
      if (mine.length === 0) await redis.call('XGROUP', 'DELCONSUMER', key, RECORDERS, consumer)
    },
  }
}

/** XREADGROUP's reply for one stream: [[key, entries]] in RESP2, the map {key: entries} (read as [key, entries]) in RESP3. */
function entriesOf(reply: unknown): ResultEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return []
  const raw = (Array.isArray(reply[0]) ? reply[0][1] : reply[1]) as RawEntry[]
  return raw.map(toEntry)
}

/** A flat [field, value, …] reply (RESP2, and RESP3 maps as ioredis reads them) as an object. */
function fieldsOf(flat: unknown[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = flat[i + 1]
  return fields
}

function toEntry([id, fields]: RawEntry): ResultEntry {
  if (!fields) return { id, json: null }
  const at = fields.indexOf('result')
  return { id, json: at >= 0 ? (fields[at + 1] ?? null) : null }
}
