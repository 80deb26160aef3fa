/** What a journey is walked on: a desktop browser, or a phone's (src/runner/devices.ts). */
export const DEVICES = ['desktop', 'phone'] as const
export type Device = (typeof DEVICES)[number]
