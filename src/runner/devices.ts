import { devices, type BrowserContextOptions } from 'playwright-core'
import type { Device } from '../domain/device.ts'

// The device a promise is walked on. A phone is a touch device: its
// journeys tap where a desktop's click.
const PHONE = devices['Pixel 7']!

export const DESKTOP_VIEWPORT = { width: 1280, height: 720 }

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
  // Playwright's own desktop size (its "Desktop Chrome"): every pixel more is
  // painted and composited by the browser on every frame of the walk.
  return { ...common, viewport: DESKTOP_VIEWPORT }
}

export const isTouch = (device: Device) => device === 'phone'
