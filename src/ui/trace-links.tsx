import { TRACE_VIEWER_PATH } from './trace-viewer.ts'

// How a run's trace is offered: in Kept's own viewer where the browser
// allows its service worker (a secure context), and always as a download.

export function traceViewerUrl(runId: string): string {
  return `${TRACE_VIEWER_PATH}/index.html?trace=${encodeURIComponent(`/api/v1/runs/${runId}/trace`)}`
}

export function TraceLinks(props: { runId: string; secureContext: boolean; damaged?: boolean }) {
  const download = `/api/v1/runs/${props.runId}/trace`
  if (props.damaged) {
    return (
      <p class="notice bad" role="status">
        The stored trace of this run is damaged (not a zip), so it cannot be opened.{' '}
        <a href={download} download>
          Download it
        </a>{' '}
        to look at what is there.
      </p>
    )
  }
  return (
    <p class="trace-links">
      {props.secureContext ? (
        <a class="btn" href={traceViewerUrl(props.runId)}>
          Open the trace
        </a>
      ) : null}{' '}
      <a class="btn secondary" href={download} download>
        Download the trace
      </a>
      {props.secureContext ? null : (
        <span class="small muted">
          {' '}
          The trace viewer needs https or a localhost address (its service worker needs a secure context). Download the
          trace and open it with <code>npx playwright show-trace trace.zip</code>.
        </span>
      )}
    </p>
  )
}
