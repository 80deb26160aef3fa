import http, { STATUS_CODES } from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { judgeTarget, parseAllowedTargets, type TargetPolicy } from '../../domain/target-policy.ts'
import { resolveAll } from '../../infra/resolve.ts'
import { ChannelError, type SendContext } from './types.ts'

export const DEFAULT_TIMEOUT_MS = 10_000
const NO_POLICY = parseAllowedTargets('')

/**
 * POST a body and insist on a 2xx. The channel URL is judged like a
 * journey's: its host is resolved, every address judged by the target
 * policy (metadata, link-local, private ranges, Kept's own services), and
 * the connection goes to the address judged, so a name that resolves
 * elsewhere a moment later cannot slip past. Redirects are not followed.
 * The error names the host, the status and its standard reason, never the
 * URL (webhook URLs are secrets) nor the reply (a stranger's text).
 */
export async function postBody(
  url: string,
  body: string,
  headers: Record<string, string>,
  ctx: Pick<SendContext, 'timeoutMs' | 'targetPolicy'> = {},
): Promise<void> {
  const timeoutMs = ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS
  let target: URL
  try {
    target = new URL(url)
  } catch {
    throw new ChannelError('the channel URL is not a valid URL')
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new ChannelError('the channel URL is not an http(s) URL')
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80))
  const address = await judgedAddress(host, port, ctx.targetPolicy ?? NO_POLICY, target.host, timeoutMs)

  const status = await new Promise<number>((resolve, reject) => {
    const request = (target.protocol === 'https:' ? https : http).request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Kept-Alerts', 'content-length': Buffer.byteLength(body), ...headers },
      lookup: pinnedLookup(address),
    })
    const timer = setTimeout(() => request.destroy(new ChannelError(`no answer from ${target.host} within ${timeoutMs / 1000} s`)), timeoutMs)
    request.on('response', (response) => {
      clearTimeout(timer)
      // Read and drop the reply: the connection ends cleanly, nothing of it is kept.
      response.resume()
      response.on('end', () => resolve(response.statusCode ?? 0))
      response.on('error', () => resolve(response.statusCode ?? 0))
    })
    request.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(error instanceof ChannelError ? error : new ChannelError(`cannot reach ${target.host}: ${error.code ?? error.message}`))
    })
    request.end(body)
  })
  if (status >= 200 && status < 300) return
  if (status >= 300 && status < 400) {
    throw new ChannelError(`HTTP ${status} from ${target.host}: a redirect, not followed (give the channel its final URL)`, status)
  }
  throw new ChannelError(`HTTP ${status} from ${target.host}${STATUS_CODES[status] ? ` (${STATUS_CODES[status]})` : ''}`, status)
}

export function postJson(url: string, payload: unknown, headers: Record<string, string>, ctx: Pick<SendContext, 'timeoutMs' | 'targetPolicy'>) {
  return postBody(url, JSON.stringify(payload), headers, ctx)
}

/** Resolve the host and judge every address; the first one is where the POST goes. */
async function judgedAddress(host: string, port: number, policy: TargetPolicy, shown: string, timeoutMs: number): Promise<{ address: string; family: number }> {
  let addresses: string[] | null = null
  let unresolved: Error | null = null
  try {
    addresses = await withTimeout(resolveAll(host), timeoutMs)
  } catch (error) {
    unresolved = error as Error
  }
  // Unresolved, the name alone may still be judged (a metadata host, a service of Kept's by name).
  const verdict = judgeTarget(host, addresses ?? [], policy, port)
  if (!verdict.allowed) throw new ChannelError(`blocked: ${verdict.reason}`)
  if (!addresses?.length) throw new ChannelError(`cannot reach ${shown}: ${(unresolved as NodeJS.ErrnoException | null)?.code ?? unresolved?.message ?? 'no address'}`)
  return { address: addresses[0]!, family: isIP(addresses[0]!) }
}

/** A lookup that answers the judged address only (plain and `all` forms). */
function pinnedLookup(judged: { address: string; family: number }): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [judged])
    else callback(null, judged.address, judged.family)
  }) as LookupFunction
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no DNS answer within ${ms / 1000} s`)), ms)
    }),
  ])
}
