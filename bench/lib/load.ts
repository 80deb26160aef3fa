import autocannon from 'autocannon'

// Runs autocannon in its own process (so the load and the server do not
// share an event loop) and prints the figures as one JSON line, after a
// line "sampling" when the warm-up is over.
// Input (argv[2], JSON): { url, connections, seconds, warmupSeconds,
// token, paths, headers }: each request takes the next of `paths` in turn. The
// warm-up (same connections, not sampled) lets the JIT, the connection
// pools and the server's read cache settle before the figures count.

const input = JSON.parse(process.argv[2] ?? '{}') as {
  url: string
  connections: number
  seconds: number
  warmupSeconds?: number
  token: string
  paths: string[]
  headers?: Record<string, string>
}
let next = 0
const options = {
  url: input.url,
  connections: input.connections,
  headers: { ...input.headers, authorization: `Bearer ${input.token}` },
  requests: [{ setupRequest: (request: { path?: string }) => ({ ...request, path: input.paths[next++ % input.paths.length]! }) }],
}
if (input.warmupSeconds) await autocannon({ ...options, duration: input.warmupSeconds })
// The parent counts the server's CPU time from this line on.
console.log('sampling')
const result = await autocannon({ ...options, duration: input.seconds })
console.log(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.average },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  }),
)
