/** Polls `check` until it gives a truthy value, which it returns; fails naming `what` after `timeoutMs`. */
export async function until<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await pause(50)
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
