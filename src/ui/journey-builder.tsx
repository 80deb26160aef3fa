// "Build by clicking", on the promise form: Kept's own Chromium opens the
// journey's page (src/builder, POST /api/v1/builder/sessions), and its
// picture shows here. A click on the picture clicks there in that browser
// and writes the step (`click "Add to cart" in "Latte mug"`); a field asks
// what to type (`fill "Email" with "…"`); "Check this text" writes an
// `expect`. Each step is walked before it is added to the steps above. Its
// controls belong to no form (form="builder-none"), so saving the promise
// never sends them. It needs the page script (assets/builder-script.ts),
// which shows it; without the script it stays hidden.

const NO_FORM = 'builder-none'

export function JourneyBuilder() {
  return (
    <section class="builder" id="builder" hidden aria-labelledby="builder-heading">
      <h3 id="builder-heading">Build by clicking</h3>
      <div class="builder-start">
        <div class="field">
          <label for="builder-address">First page</label>
          <input id="builder-address" form={NO_FORM} type="url" placeholder="https://shop.example.com" autocomplete="url" aria-describedby="builder-address-hint builder-address-error" />
          <p class="hint" id="builder-address-hint">
            Kept opens it in its own browser (or walks the steps you have so far) and shows it here. Click on the picture as a
            customer would: each click becomes a step, tried at once.
          </p>
          <p class="error" id="builder-address-error" aria-live="polite"></p>
        </div>
        <button type="button" class="btn secondary" id="builder-open">
          Build by clicking
        </button>
      </div>
      <div id="builder-live" hidden>
        <div class="builder-bar">
          <fieldset class="plain builder-modes">
            <legend>A click on the picture</legend>
            <label class="choice">
              <input type="radio" form={NO_FORM} name="builder-mode" value="click" checked /> clicks there
            </label>
            <label class="choice">
              <input type="radio" form={NO_FORM} name="builder-mode" value="fill" /> types into a field
            </label>
            <label class="choice">
              <input type="radio" form={NO_FORM} name="builder-mode" value="expect" /> checks this text is shown
            </label>
          </fieldset>
          <p class="builder-count" id="builder-clicks" aria-live="polite">
            0 clicks
          </p>
          <button type="button" class="btn secondary small" data-builder-scroll="-600">
            Scroll up
          </button>
          <button type="button" class="btn secondary small" data-builder-scroll="600">
            Scroll down
          </button>
          <button type="button" class="btn secondary small" id="builder-refresh">
            Refresh the picture
          </button>
          <button type="button" class="btn small" id="builder-done">
            Done
          </button>
        </div>
        <div class="builder-type" id="builder-type" hidden>
          <div class="field">
            <label for="builder-value">
              <span id="builder-verb">What to type into</span> <span id="builder-field">the field</span>
            </label>
            <input id="builder-value" form={NO_FORM} type="text" autocomplete="off" aria-describedby="builder-value-hint" />
            <p class="hint" id="builder-value-hint">
              A secret’s value is written as <code>{'{{secrets.NAME}}'}</code>; <code>{'{{run.email}}'}</code> makes a new
              address each walk.
            </p>
          </div>
          <label class="choice">
            <input type="checkbox" form={NO_FORM} id="builder-enter" /> then press Enter
          </label>
          <button type="button" class="btn small" id="builder-type-add">
            Type it
          </button>
        </div>
        <p id="builder-status" class="muted small" role="status" aria-live="polite"></p>
        <div class="builder-screen" id="builder-screen">
          <img id="builder-picture" width="1280" height="800" alt="The page in Kept's browser: click on it to add a step" />
        </div>
        <p class="muted small builder-url" id="builder-url"></p>
      </div>
    </section>
  )
}
