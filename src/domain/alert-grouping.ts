// When an open alert goes alone and when alerts share one message. A
// channel's first few open alerts of a window go at once: a lone break is
// never delayed. Once `threshold` have gone within the window, the channel
// is in a storm: further open alerts wait for the window to close and go as
// one grouped message. Alerts released together from a maintenance hold
// (none went alone before them) go grouped when more than `threshold` wait.

export interface GroupingRule {
  /** Open alerts a channel sends alone within one window. */
  threshold: number
}

/** Does a new open alert go at once? `recent`: the channel's open alerts of the last window. */
export function sendsAtOnce(recent: number, rule: GroupingRule): boolean {
  return recent < rule.threshold
}

/**
 * When a channel's window closes: do the waiting alerts go as one message?
 * `aloneBefore`: open alerts the channel sent alone in the window before
 * the oldest waiting one.
 */
export function groupsWaiting(waiting: number, aloneBefore: number, rule: GroupingRule): boolean {
  return waiting > 1 && waiting + aloneBefore > rule.threshold
}
