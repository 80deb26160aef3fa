// Chromium's launch flags, in two parts.
//
// MACHINE_ARGS: what a worker inside a container or a CI runner needs: no
// sandbox (containers rarely allow it), no GPU, and none of Chromium's own
// background traffic (updates, sync, QUIC probes) mixed with the journey.
// A bare Playwright script on the same machine needs them too (the
// benchmarks' baselines use these alone).
//
// The features Kept turns off: browser work no walk needs, done for every
// fresh context. Each walk has a context of its own, and full Chromium in
// headless mode (Debian's, Chrome) prepares for every new context:
// - the address bar's popup, a WebUI page in a renderer process of its own
//   (chrome://omnibox-popup.top-chrome/ and its AI mode), never shown
//   headless: 40–50 % of a walk's CPU and ~20 MB a walk on 2026-12-07
//   (bench/README.md, "Chromium's own work a walk");
// - a spare renderer process for the context's next site, which no walk
//   of one context uses; a walk that goes to another site starts that
//   renderer when it goes there, as a browser does whose spare is taken.
// Neither changes how a page loads or runs: no JIT, timer, network or
// rendering flag is touched.

export const MACHINE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * playwright-core's own `--disable-features` list (1.65,
 * chromiumSwitches.ts). Chromium honours only the last `--disable-features`
 * on its command line, so Kept's must carry Playwright's too;
 * test/integration/chromium-args.test.ts fails when an upgrade changes it.
 */
export const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
]

export const KEPT_DISABLED_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup', 'SpareRendererForSitePerProcess']

/** Every Chromium Kept launches: walks, the journey builder, the pages' own tests. */
export const CHROMIUM_ARGS = [...MACHINE_ARGS, `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...KEPT_DISABLED_FEATURES].join(',')}`]
