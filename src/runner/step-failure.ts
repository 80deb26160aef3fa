/** A step failed because of the site (missing target, text not shown, too slow): the promise is broken. */
export class StepFailure extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StepFailure'
  }
}

/** The monitor itself failed (browser crash, launch failure): the run is an error, never counted against the promise. */
export class MonitorFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MonitorFailure'
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
