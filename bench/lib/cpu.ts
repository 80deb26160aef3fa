import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { processTree } from './pss.ts'

// CPU time (user + system) of processes, from /proc (Linux). A Chromium
// tree's renderers come and go with each context: a process that ended was
// reaped by its parent in the tree (Chromium's zygote or browser process),
// whose cutime/cstime then hold its time. So the tree's total is the sum of
// utime + stime + cutime + cstime of every process alive now, and the
// difference of two totals is what the tree spent between them.

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

/** utime + stime (+ cutime + cstime with `children`) of one process, in seconds; 0 when it is gone. */
export function processCpuSeconds(pid: number, children = true): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command may hold spaces and parentheses: fields follow the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // After ")": state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
    const own = Number(fields[11]) + Number(fields[12])
    const reaped = children ? Number(fields[13]) + Number(fields[14]) : 0
    return (own + reaped) / TICKS_PER_SECOND
  } catch {
    return 0
  }
}

/** CPU seconds of root and every live descendant, with the children they reaped. */
export function treeCpuSeconds(root: number): number {
  return processTree(root).reduce((sum, pid) => sum + processCpuSeconds(pid), 0)
}

/** Direct children of a process (pids). */
export function childPids(parent: number): number[] {
  return processTree(parent).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent
    } catch {
      return false
    }
  })
}

/**
 * The pid of the browser process a launch started: the child of this
 * process that appeared while `launch` ran (Playwright spawns Chromium
 * directly, and playwright-core's Browser does not expose its process).
 */
export async function launchedPid<T>(launch: () => Promise<T>): Promise<{ value: T; pid: number }> {
  const before = new Set(childPids(process.pid))
  const value = await launch()
  const fresh = childPids(process.pid).filter((pid) => !before.has(pid))
  const chromium = fresh.filter((pid) => {
    try {
      return /chrom/i.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))
    } catch {
      return false
    }
  })
  if (chromium.length !== 1) throw new Error(`expected one new Chromium process, found ${chromium.length} (${fresh.join(', ')})`)
  return { value, pid: chromium[0]! }
}

/** This process's own CPU seconds (all its threads), without its children. */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1e6
}
