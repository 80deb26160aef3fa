import { DISCOVERY_LIMITS } from '../domain/claims/discovery.ts'

// "Find the promises my site makes", on the promise form: the marketing
// owner gives the site's address, Kept reads a few of its pages in a real
// browser (POST /api/v1/claims/discover, walked by a journey worker), and
// lists what they promise in clicks or time, each with its page; one click
// copies a claim into the form (title, budgets, and `go to <page>` as the
// first step when there is none). Outside the promise's <form>, so Enter
// here never saves the promise. It needs the page script
// (assets/claim-finder-script.ts), which shows it; without the script it
// stays hidden and the form works as ever.

const { min, max } = DISCOVERY_LIMITS.maxPages

export function ClaimFinder() {
  return (
    <details class="claim-finder" id="claim-finder" hidden>
      <summary>Find the promises my site makes</summary>
      <div class="body">
        <p class="hint" id="claim-site-hint">
          Kept reads pages of your site in a real browser, as customers see them, and lists what they promise in clicks,
          taps, steps or time. One click copies a promise into this form.
        </p>
        <div class="claim-finder-row">
          <div class="field">
            <label for="claim-site">Your site’s address</label>
            <input id="claim-site" type="url" placeholder="https://shop.example.com" autocomplete="url" aria-describedby="claim-site-hint claim-site-error" />
            <p class="error" id="claim-site-error" aria-live="polite"></p>
          </div>
          <div class="field claim-pages">
            <label for="claim-pages">Pages to read</label>
            <input id="claim-pages" type="number" min={min} max={max} value={String(DISCOVERY_LIMITS.maxPages.default)} aria-describedby="claim-pages-error" />
            <p class="error" id="claim-pages-error" aria-live="polite"></p>
          </div>
          <button type="button" class="btn secondary" id="claim-find">
            Find the promises
          </button>
        </div>
        <p id="claim-status" class="muted small" role="status" aria-live="polite"></p>
        <ul id="claim-results" class="claim-list" aria-label="Promises found on your site"></ul>
        <details id="claim-skipped" class="claim-skipped" hidden>
          <summary></summary>
          <ul class="body small"></ul>
        </details>
      </div>
    </details>
  )
}
