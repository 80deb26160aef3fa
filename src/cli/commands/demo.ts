import { parseEnv } from '../../config/env.ts'

/** `kept demo break|fix|slow`: flips the running demo shop's switches. */
export async function demoCommand(action: string, opts: { ms: string }): Promise<number> {
  const env = parseEnv()
  const base = `http://127.0.0.1:${env.KEPT_DEMO_PORT}/__demo`
  const url =
    action === 'break' ? `${base}/break` : action === 'fix' ? `${base}/fix` : action === 'slow' ? `${base}/slow?ms=${Number(opts.ms)}` : null
  if (!url) {
    process.stderr.write(`kept demo: expected break, fix or slow, got "${action}"\n`)
    return 2
  }
  try {
    const res = await fetch(url, { method: 'POST' })
    const state = (await res.json()) as { broken: boolean; delayMs: number }
    process.stdout.write(
      `demo shop: checkout ${state.broken ? 'BROKEN' : 'working'}, pages delayed ${state.delayMs} ms\n`,
    )
    return 0
  } catch {
    process.stderr.write(`kept demo: no demo shop answers on 127.0.0.1:${env.KEPT_DEMO_PORT} (is \`kept start\` running?)\n`)
    return 1
  }
}
