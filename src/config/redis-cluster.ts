// REDIS_CLUSTER_NODES and the key prefix a cluster needs, read once at boot.

export interface ClusterNode {
  host: string
  port: number
}

const EXAMPLE = 'host:port,host:port,… (e.g. 10.0.0.11:6379,10.0.0.12:6379,10.0.0.13:6379)'

/**
 * `host:port,host:port,…` (an IPv6 host in brackets: `[fd00::1]:6379`) as
 * the seed nodes of a Redis Cluster; the client finds the others. Throws
 * naming the entry that is not host:port.
 */
export function parseClusterNodes(raw: string): ClusterNode[] {
  const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '')
  if (entries.length === 0) throw new Error(`expected ${EXAMPLE}`)
  return entries.map((entry) => {
    const match = entry.match(/^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/)
    const port = Number(match?.[3])
    if (!match || port < 1 || port > 65535) throw new Error(`"${entry}" is not host:port; expected ${EXAMPLE}`)
    return { host: match[1] ?? match[2]!, port }
  })
}

/** A prefix with at most one `{hash tag}` (the part of a key Redis Cluster hashes). */
export const QUEUE_PREFIX = /^[A-Za-z0-9_.:-]*(\{[A-Za-z0-9_.:-]+\})?[A-Za-z0-9_.:-]*$/

/**
 * On a cluster every key of Kept must hash to one slot: BullMQ's scripts
 * touch several keys of a queue at once, and Kept's own MULTI moves a
 * result between two streams. A prefix without a hash tag is wrapped in
 * one (`kept` → `{kept}`); one that has its own is kept as it is.
 */
export function clusterPrefix(prefix: string): string {
  return prefix.includes('{') ? prefix : `{${prefix}}`
}
