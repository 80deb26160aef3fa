import { parseEnv } from '../../config/env.ts'

/** `kept demo break|fix|slow|drift`: flips the running demo shop's switches. */
export async function demoCommand(action: string, opts: { ms: string }): Promise<number> {
  const env = parseEnv()
  const base = `http://127.0.0.1:${env.KEPT_DEMO_PORT}/__demo`
  const url =
    action === 'break' || action === 'fix' || action === 'drift' ? `${base}/${action}` : action === 'slow' ? `${base}/slow?ms=${Number(opts.ms)}` : null
  if (!url) {
    process.stderr.write(`kept demo: expected break, fix, slow or drift, got "${action}"\n`)
    return 2
  }
  try {
    const res = await fetch(url, { method: 'POST' })
    const state = (await res.json()) as { broken: boolean; delayMs: number; drift: boolean }
    process.stdout.write(
      `demo shop: checkout ${state.broken ? 'BROKEN' : 'working'}, pages delayed ${state.delayMs} ms, home page promises ${state.drift ? '2 clicks (DRIFT)' : '3 clicks'}\n`,
    )
    return 0
  } catch {
    process.stderr.write(`kept demo: no demo shop answers on 127.0.0.1:${env.KEPT_DEMO_PORT} (is \`kept start\` running?)\n`)
    return 1
  }
}
