import { readdirSync, readFileSync } from 'node:fs'

// Proportional set size of a process tree, from /proc (Linux): shared
// pages are split among the processes that share them, so the sum is the
// tree's real share of memory (Chromium's many processes share a lot).

/** The pids of root and all its descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // The command may hold spaces and parentheses: the ppid follows the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const pid = Number(entry)
      children.set(ppid, [...(children.get(ppid) ?? []), pid])
    } catch {
      // the process ended while we looked
    }
  }
  const tree: number[] = []
  const visit = (pid: number) => {
    tree.push(pid)
    for (const child of children.get(pid) ?? []) visit(child)
  }
  visit(root)
  return tree
}

/** PSS of one process in MB (0 when it is gone). */
export function processPssMb(pid: number): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
    const match = /^Pss:\s+(\d+) kB/m.exec(rollup)
    return match ? Number(match[1]) / 1024 : 0
  } catch {
    return 0
  }
}

/** PSS of root and its descendants, in MB, and how many processes. */
export function treePssMb(root: number): { mb: number; processes: number } {
  const pids = processTree(root)
  return { mb: pids.reduce((sum, pid) => sum + processPssMb(pid), 0), processes: pids.length }
}
