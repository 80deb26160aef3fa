import type { ServerType } from '@hono/node-server'

/** Stops an HTTP server at once: keep-alive connections would hold close() open, so they are ended first. */
export function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    if ('closeAllConnections' in server) server.closeAllConnections()
    server.close(() => resolve())
  })
}
