import type { AlertLinks } from '../domain/alert-message.ts'

// Where a person lands from an alert. Pages and evidence routes belong to
// the API/UI; these paths are the contract with them (docs/alerts.md).

/** KEPT_PUBLIC_URL, else http://127.0.0.1:PORT; never with a trailing slash. */
export function publicBaseUrl(env: { KEPT_PUBLIC_URL?: string; PORT: number }): string {
  return (env.KEPT_PUBLIC_URL ?? `http://127.0.0.1:${env.PORT}`).replace(/\/+$/, '')
}

export function alertLinks(
  baseUrl: string,
  ids: { promiseId: string; breakId: string; runId: string | null; hasScreenshot: boolean; hasTrace: boolean },
): AlertLinks {
  const run = ids.runId ? `${baseUrl}/runs/${ids.runId}` : null
  return {
    promiseUrl: `${baseUrl}/promises/${ids.promiseId}`,
    breakUrl: `${baseUrl}/breaks/${ids.breakId}`,
    runUrl: run,
    screenshotUrl: ids.runId && ids.hasScreenshot ? `${baseUrl}/api/v1/runs/${ids.runId}/screenshot` : null,
    traceUrl: ids.runId && ids.hasTrace ? `${baseUrl}/api/v1/runs/${ids.runId}/trace` : null,
  }
}
