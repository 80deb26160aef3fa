/**
 * Group commit: items handed in while a write is in flight wait and are
 * written together by the next write (up to `maxBatch` at a time). A lone
 * item is written at once; a burst costs a few writes, not one per item.
 * Within a lane writes never overlap, so its batches are written in the
 * order they formed.
 *
 * When a batch fails and `writeAlone(error)` says so (the data of one item
 * is bad), each item is written alone, so one bad item fails only itself.
 */
export function groupCommit<T, R>(
  write: (items: T[]) => Promise<R[]>,
  options: {
    maxBatch: number
    writeAlone?: (error: unknown) => boolean
    /**
     * Writes that may run at once (default 1). Items go to the lane of
     * laneOf(item), so items of one key are always written in order, by
     * one lane, and lanes never touch each other's keys.
     */
    lanes?: number
    laneOf?: (item: T) => string
  },
): (item: T) => Promise<R> {
  const lanes = Array.from({ length: Math.max(1, options.lanes ?? 1) }, () => oneLane(write, options))
  if (lanes.length === 1 || !options.laneOf) return lanes[0]!
  const laneOf = options.laneOf
  return (item) => lanes[laneIndex(laneOf(item), lanes.length)]!(item)
}

/** The lane of a key among `lanes`: a small stable string hash (FNV-1a). */
export function laneIndex(key: string, lanes: number): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193)
  return (hash >>> 0) % lanes
}

function oneLane<T, R>(
  write: (items: T[]) => Promise<R[]>,
  options: { maxBatch: number; writeAlone?: (error: unknown) => boolean },
): (item: T) => Promise<R> {
  interface Waiting {
    item: T
    resolve: (value: R) => void
    reject: (error: unknown) => void
  }
  const waiting: Waiting[] = []
  let writing = false

  const writeOne = async (entry: Waiting) => {
    try {
      const [value] = await write([entry.item])
      entry.resolve(value!)
    } catch (error) {
      entry.reject(error)
    }
  }

  const drain = async () => {
    while (waiting.length > 0) {
      const batch = waiting.splice(0, options.maxBatch)
      try {
        const values = await write(batch.map((entry) => entry.item))
        batch.forEach((entry, i) => entry.resolve(values[i]!))
      } catch (error) {
        if (batch.length > 1 && options.writeAlone?.(error)) {
          for (const entry of batch) await writeOne(entry)
        } else {
          for (const entry of batch) entry.reject(error)
        }
      }
    }
    writing = false
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject })
      if (writing) return
      writing = true
      // Let the items that arrive in the same turn join the first batch.
      setImmediate(() => void drain())
    })
}
