import { ChannelError } from './types.ts'

export const DEFAULT_TIMEOUT_MS = 10_000

/**
 * POST a body and insist on a 2xx. The error names the status and the
 * start of the reply, never the URL (webhook URLs are secrets).
 */
export async function postBody(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<Response> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Kept-Alerts', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    const err = error as Error & { cause?: { code?: string; message?: string } }
    if (err.name === 'TimeoutError') throw new ChannelError(`no answer from ${host(url)} within ${timeoutMs / 1000} s`)
    const reason = err.cause?.code ?? err.cause?.message ?? err.message
    throw new ChannelError(`cannot reach ${host(url)}: ${reason}`)
  }
  if (!response.ok) {
    const text = (await response.text().catch(() => '')).replace(/\s+/g, ' ').trim()
    const snippet = text.length > 200 ? `${text.slice(0, 200)}…` : text
    throw new ChannelError(`HTTP ${response.status} from ${host(url)}${snippet ? `: ${snippet}` : ''}`, response.status)
  }
  // Drain the body so the connection can be reused.
  await response.arrayBuffer().catch(() => undefined)
  return response
}

export function postJson(url: string, payload: unknown, headers: Record<string, string> = {}, timeoutMs?: number) {
  return postBody(url, JSON.stringify(payload), headers, timeoutMs)
}

function host(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'the channel URL'
  }
}
