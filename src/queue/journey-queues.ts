import { Queue } from 'bullmq'
import type { RedisClient } from '../infra/redis.ts'
import { DEFAULT_REGION, journeysQueueName } from '../domain/region.ts'
import type { JourneyQueue } from './enqueue.ts'
import type { JourneyJob } from './jobs.ts'

// One BullMQ queue of journeys a region (src/domain/region.ts): a worker
// takes from its region's queue only. Opened on first use and kept, all
// on the same connection and prefix (hash-tagged on a cluster: every
// region's keys share a slot).

export class JourneyQueues {
  private readonly queues = new Map<string, JourneyQueue>()
  /** Queues opened here, closed by close(); a queue given to around() is its owner's. */
  private readonly own = new Set<JourneyQueue>()

  constructor(
    private readonly connection: RedisClient,
    readonly prefix: string,
  ) {}

  /** Around a queue already open (the region local's "journeys"): its connection and prefix serve the others. */
  static around(queue: JourneyQueue): JourneyQueues {
    const queues = new JourneyQueues(queue.opts.connection as RedisClient, queue.opts.prefix ?? 'bull')
    const region = queue.name === journeysQueueName(DEFAULT_REGION) ? DEFAULT_REGION : queue.name.replace(/^journeys-/, '')
    queues.queues.set(region, queue)
    return queues
  }

  /** The queue of a region's journeys. */
  of(region: string): JourneyQueue {
    let queue = this.queues.get(region)
    if (!queue) {
      queue = new Queue<JourneyJob>(journeysQueueName(region), { connection: this.connection, prefix: this.prefix })
      this.queues.set(region, queue)
      this.own.add(queue)
    }
    return queue
  }

  /** The regions opened so far, with their queues. */
  opened(): { region: string; queue: JourneyQueue }[] {
    return [...this.queues].map(([region, queue]) => ({ region, queue }))
  }

  async close(): Promise<void> {
    await Promise.all([...this.own].map((queue) => queue.close()))
  }
}
