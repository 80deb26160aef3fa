import { devices, type BrowserContextOptions } from 'playwright-core'
import type { Device } from '../db/schema.ts'

// The device a promise is walked on. A phone is a touch device: its
// journeys tap where a desktop's click.
const PHONE = devices['Pixel 7']!

export function contextOptionsFor(device: Device): BrowserContextOptions {
  const common: BrowserContextOptions = {
    locale: 'en-US',
    // Service workers would answer requests the target policy never sees.
    serviceWorkers: 'block',
    ignoreHTTPSErrors: false,
  }
  if (device === 'phone') {
    const { defaultBrowserType: _ignored, ...phone } = PHONE
    return { ...common, ...phone, hasTouch: true, isMobile: true }
  }
  return { ...common, viewport: { width: 1280, height: 800 } }
}

export const isTouch = (device: Device) => device === 'phone'
