import type { Child } from 'hono/jsx'
import type { Principal } from '../auth/permissions.ts'
import type { Budgets } from '../domain/budget.ts'
import type { RunResult } from '../domain/run.ts'
import { journeyWordWarnings } from '../domain/promise-words.ts'
import { formatSeconds, plural } from './format.ts'
import { budgetHint } from './promise-input.ts'
import { Badge, Csrf, Layout } from './layout.tsx'
import type { FieldErrors, PromiseFormValues } from './promise-input.ts'
import { MIN_EVERY_SECONDS } from './promise-input.ts'
import { Screenshot, StepsTable, VerdictCard } from './run-view.tsx'
import { describedBy, FieldMessages, TextField } from './field.tsx'
import { ClaimFinder } from './claim-finder.tsx'
import { JourneyBuilder } from './journey-builder.tsx'

// The promise form: one page for new and edit. Every field keeps what the
// owner typed when the form comes back with errors, and each error sits
// next to its field (aria-describedby, aria-invalid).

export type TryOutcome = { result: RunResult; budgets: Budgets; screenshotUrl: string | null } | { error: string }

type Key = keyof PromiseFormValues

/** The hint and error ids of a form field, named after the field. */
function describedFor(name: Key, errors: FieldErrors, hint: boolean): string | undefined {
  return describedBy([hint ? `${name}-hint` : null, errors[name] ? `${name}-error` : null])
}

function Input(props: {
  name: Key
  label: string
  values: PromiseFormValues
  errors: FieldErrors
  type?: 'text' | 'number' | 'email' | 'url'
  hint?: Child
  required?: boolean
  step?: string
  min?: number
  id?: string
  placeholder?: string
  autocomplete?: string
  /** Another hint that applies to this field too (e.g. a group's). */
  alsoDescribedBy?: string
  /** The value the wording suggests, for the form script. */
  suggested?: number
  /** The id of a <datalist> of suggestions. */
  list?: string
}) {
  const { name, values, errors, id, ...rest } = props
  return <TextField {...rest} id={id ?? name} name={name} messagesId={name} value={String(values[name])} error={errors[name]} />
}

export function TryResult(props: { outcome: TryOutcome }) {
  const o = props.outcome
  if ('error' in o) {
    return (
      <section class="try-result card" aria-labelledby="try-heading">
        <h2 id="try-heading">Try it now: the walk did not happen</h2>
        <p class="error" role="alert">
          {o.error}
        </p>
      </section>
    )
  }
  const r = o.result
  return (
    <section class="try-result card" aria-labelledby="try-heading">
      <h2 id="try-heading">
        Try it now: <Badge state={r.outcome} />
      </h2>
      <p role="status">
        {r.outcome === 'kept'
          ? 'The promise was kept on this walk.'
          : r.outcome === 'at_risk'
            ? 'Kept, but close to a time budget.'
            : r.outcome === 'broken'
              ? 'The promise was broken on this walk.'
              : 'Kept could not walk the journey (our error, not the promise’s).'}{' '}
        {plural(r.clicks, 'click')} in {formatSeconds(r.durationMs)}.
      </p>
      <VerdictCard id={r.runId} walk={r} budgets={o.budgets} />
      <StepsTable steps={r.steps} caption="Steps of the try" failure={r.failure} />
      {o.screenshotUrl ? (
        <Screenshot src={o.screenshotUrl} alt="The page at the end of the walk" />
      ) : null}
      <p class="muted small">Nothing is saved yet. Save the promise to have it walked on its schedule.</p>
    </section>
  )
}

export function PromiseFormPage(props: {
  /** The default region, then those with a live worker: the regions field shows when there is more than one, or the promise names one. */
  regionChoices?: string[]
  mode: 'new' | 'edit'
  action: string
  principal: Principal
  csrfToken: string | null
  values: PromiseFormValues
  errors: FieldErrors
  channels: { id: string; name: string; type: string }[]
  suggested: Budgets
  /** Who may own a promise: suggestions for the owner fields. */
  people: { email: string; role: string }[]
  canTry: boolean
  tryOutcome?: TryOutcome
  cancelHref: string
}) {
  const { values, errors } = props
  const errorCount = Object.keys(errors).length
  const title = props.mode === 'new' ? 'New promise' : `Edit: ${values.title}`
  return (
    <Layout title={title} principal={props.principal} csrfToken={props.csrfToken} nav="promises" script>
      <h1>{props.mode === 'new' ? 'Register a promise' : 'Edit the promise'}</h1>
      <p class="lead">
        Write the promise as customers hear it, then the steps a customer takes. Kept walks them in a real browser and
        checks the numbers your promise makes.
      </p>
      {errorCount > 0 ? (
        <p class="notice bad" role="alert">
          {errorCount === 1 ? 'One field needs a change' : `${errorCount} fields need a change`}: see the messages below
          the fields.
        </p>
      ) : null}
      {props.tryOutcome ? <TryResult outcome={props.tryOutcome} /> : null}
      <ClaimFinder />
      <form method="post" action={props.action} data-promise-form={props.mode} novalidate>
        <Csrf token={props.csrfToken} />
        <fieldset>
          <legend>The promise</legend>
          <Input
            name="title"
            label="Promise, in your customers’ words"
            values={values}
            errors={errors}
            required
            placeholder="Order online in 3 clicks"
            hint="Numbers in it become the budgets just below: “in 3 clicks”, “under a minute”."
          />
          <div class="field">
            <label for="description">Description (optional)</label>
            <textarea
              id="description"
              name="description"
              rows={2}
              class="short"
              aria-invalid={errors.description ? 'true' : undefined}
              aria-describedby={describedFor('description', errors, false)}
            >
              {values.description}
            </textarea>
            <FieldMessages id="description" error={errors.description} />
          </div>
          <Input
            name="claimUrl"
            label="Page where your site makes this promise (optional)"
            type="url"
            values={values}
            errors={errors}
            placeholder="https://shop.example.com/"
            hint="Kept reads it, and the pages the journey visits, on every walk, and tells you when the site’s words drift from what customers live (it says 3 clicks, they need 5)."
          />
        </fieldset>

        <fieldset>
          <legend>Budgets: the numbers the promise makes</legend>
          <p class="hint" id="budgets-hint" aria-live="polite">
            {budgetHint(props.suggested)}
          </p>
          <div class="grid">
            <Input alsoDescribedBy="budgets-hint" suggested={props.suggested.maxClicks} name="maxClicks" id="budget-maxClicks" label="Most clicks" type="number" min={0} values={values} errors={errors} hint="Clicks from the first page to the last step, counted by the browser." />
            <Input alsoDescribedBy="budgets-hint" suggested={props.suggested.maxSeconds} name="maxSeconds" id="budget-maxSeconds" label="Most seconds in all" type="number" min={1} step="any" values={values} errors={errors} hint="What a customer waits from the first page to the last step." />
            <Input alsoDescribedBy="budgets-hint" suggested={props.suggested.maxStepSeconds} name="maxStepSeconds" id="budget-maxStepSeconds" label="Most seconds a step" type="number" min={1} step="any" values={values} errors={errors} hint="No single page or click may keep a customer waiting longer." />
          </div>
          <div class="grid">
            <Input alsoDescribedBy="budgets-hint" name="maxLcpMs" label="Main content shown within (ms)" type="number" min={100} values={values} errors={errors} hint="How long until each page shows its main picture or text (largest contentful paint). 2500 is good." />
            <Input alsoDescribedBy="budgets-hint" name="maxA11yViolations" label="Accessibility issues allowed" type="number" min={0} values={values} errors={errors} hint="Problems a customer using a screen reader or a keyboard meets on the way, found on each page. 0: none." />
            <div aria-hidden="true"></div>
          </div>
        </fieldset>

        <fieldset>
          <legend>The journey</legend>
          <div class="field wide">
            <label for="journey">Steps, one a line</label>
            <textarea
              id="journey"
              name="journey"
              rows={8}
              spellcheck={false}
              required
              placeholder={'go to https://shop.example.com\nclick "Shop now"\nclick "Add to cart"\nexpect "Order confirmed"'}
              aria-invalid={errors.journey ? 'true' : undefined}
              aria-describedby="journey-hint journey-error journey-ok journey-warnings"
            >
              {values.journey}
            </textarea>
            <p class="hint" id="journey-hint">
              Start with <code>go to</code> and the address. Then <code>click "Text"</code>,{' '}
              <code>fill "Label" with "value"</code>, <code>select "Option" in "Label"</code>, <code>check "Label"</code>,{' '}
              <code>press Enter</code>, <code>expect "Text"</code>, <code>expect url contains "/done"</code>,{' '}
              <code>wait for "Text"</code>. Secrets: <code>{'{{secrets.NAME}}'}</code>.
              <br />
              Say which one: <code>click the 2nd "Add to cart"</code>, <code>click "Add to cart" in "Backpack"</code>,{' '}
              <code>click test id "cart-link"</code>. Also <code>hover "Menu"</code>, <code>double click "Text"</code>,{' '}
              <code>scroll to "Text"</code>, <code>fill "Label" with "value" and press Enter</code>, <code>wait 2 seconds</code>,{' '}
              <code>expect no "Error"</code>. New each run: <code>{'{{run.email}}'}</code>, <code>{'{{run.id}}'}</code>,{' '}
              <code>{'{{today}}'}</code>.
            </p>
            <p class="error" id="journey-error" aria-live="polite">
              {errors.journey ?? ''}
            </p>
            <p class="ok" id="journey-ok" aria-live="polite"></p>
            <div id="journey-warnings" aria-live="polite">
              {journeyWordWarnings(values.title, values.journey).map((w) => (
                <p class="warn">
                  {w.message}{' '}
                  <button type="button" class="btn secondary small" data-add-step={w.suggestion}>
                    Add <code>{w.suggestion}</code>
                  </button>
                </p>
              ))}
            </div>
          </div>
          <JourneyBuilder />
          <div class="grid">
            <div class="field">
              <label for="device">Device</label>
              <select id="device" name="device" aria-describedby="device-hint">
                <option value="desktop" selected={values.device === 'desktop'}>
                  Desktop
                </option>
                <option value="phone" selected={values.device === 'phone'}>
                  Phone
                </option>
              </select>
              <p class="hint" id="device-hint">
                What the customer holds: a laptop’s window and clicks, or a phone’s screen and taps.
              </p>
            </div>
          </div>
        </fieldset>

        <fieldset>
          <legend>Schedule</legend>
          <div class="field">
            <label class="choice">
              <input type="radio" name="scheduleKind" value="every" checked={values.scheduleKind === 'every'} />
              Every few seconds
            </label>
            <label class="choice">
              <input type="radio" name="scheduleKind" value="cron" checked={values.scheduleKind === 'cron'} />
              On a cron pattern
            </label>
          </div>
          <div class="grid">
            <Input
              name="everySeconds"
              label="Every (seconds)"
              type="number"
              min={MIN_EVERY_SECONDS}
              values={values}
              errors={errors}
              hint={`At least ${MIN_EVERY_SECONDS}. 300 is every five minutes.`}
            />
            <Input name="cron" label="Cron pattern" values={values} errors={errors} hint="e.g. 0 9 * * 1-5: weekdays at 9:00." />
            <Input name="timezone" label="Time zone of the pattern" values={values} errors={errors} hint="e.g. Europe/Paris" />
          </div>
          {showsRegions(values, errors, props.regionChoices) ? (
            <Input
              name="regions"
              label="Regions it is walked from"
              values={values}
              errors={errors}
              placeholder={props.regionChoices?.[0] ?? ''}
              hint={`Comma-separated; each has its own verdict. Known regions: ${(props.regionChoices ?? []).join(', ')} (the first is the default, used when this is empty).`}
            />
          ) : null}
        </fieldset>

        <fieldset>
          <legend>Customers and owners</legend>
          <div class="grid">
            <Input
              name="dailyCustomers"
              label="Customers a day on this journey"
              type="number"
              min={0}
              values={values}
              errors={errors}
              hint="Daily visits to the journey’s first page, from your analytics: the weekly digest counts the customers a break affects with it. Not sure? Keep 1000: the NPS risk is right with any number."
            />
            <Input
              name="detractorPercent"
              label="Detractors when broken (%)"
              type="number"
              min={0}
              step="any"
              values={values}
              errors={errors}
              hint="Share of customers who meet the broken promise and turn detractor. 25 if unsure."
            />
            <Input
              name="marketingOwner"
              label="Marketing owner (email)"
              type="email"
              values={values}
              errors={errors}
              autocomplete="email"
              list="people-marketing"
              hint="Who answers for the promise: gets the weekly digest."
            />
            <Input
              name="techOwner"
              label="Tech owner (email)"
              type="email"
              values={values}
              errors={errors}
              autocomplete="email"
              list="people-tech"
              hint="Who fixes the site when this breaks: gets the alert at once, with the failing step."
            />
            <datalist id="people-marketing">
              {props.people.filter((u) => u.role !== 'tech' && u.role !== 'viewer').map((u) => (
                <option value={u.email}>{u.role}</option>
              ))}
            </datalist>
            <datalist id="people-tech">
              {props.people.filter((u) => u.role === 'tech' || u.role === 'admin').map((u) => (
                <option value={u.email}>{u.role}</option>
              ))}
            </datalist>
          </div>
          <fieldset class="plain" aria-describedby={describedFor('channels', errors, true)}>
            <legend>Alert channels</legend>
            {props.channels.length === 0 ? (
              <p class="muted small">No channel yet: breaks go to the default route. The tech team adds channels.</p>
            ) : (
              props.channels.map((ch) => (
                <label class="choice">
                  <input type="checkbox" name="channels" value={ch.id} checked={values.channels.includes(ch.id)} />
                  {ch.name} <span class="muted small">({ch.type})</span>
                </label>
              ))
            )}
            <FieldMessages id="channels" error={errors.channels} hint="None chosen: the default channels." />
          </fieldset>
        </fieldset>

        <fieldset>
          <legend>Public status page</legend>
          <label class="choice">
            <input type="checkbox" name="public" value="1" checked={values.public} aria-describedby="public-hint" />
            Show this promise to customers on the status page
          </label>
          <p class="hint" id="public-hint">
            Customers see whether it is kept, 90 days of history and its incidents with the notes you mark public, at{' '}
            <a href="/status">/status</a>; never its steps, addresses, owners or screenshots.
          </p>
          <Input
            name="publicTitle"
            label="Its title for customers (optional)"
            values={values}
            errors={errors}
            hint="In customers’ words. Empty: the promise’s title above."
          />
        </fieldset>

        <div class="form-actions">
          <button class="btn" type="submit" name="intent" value="save">
            {props.mode === 'new' ? 'Save the promise' : 'Save changes'}
          </button>
          {props.canTry ? (
            <button class="btn secondary" type="submit" name="intent" value="try">
              Try it now
            </button>
          ) : null}
          <a href={props.cancelHref}>Cancel</a>
          <span id="try-status" class="muted small" role="status" aria-live="polite"></span>
        </div>
      </form>
    </Layout>
  )
}

/** An install of one region keeps the form it had: the field shows once there are several, or a promise names one. */
function showsRegions(values: PromiseFormValues, errors: FieldErrors, choices: string[] | undefined): boolean {
  return (choices?.length ?? 0) > 1 || errors.regions !== undefined || (values.regions.trim() !== '' && values.regions.trim() !== choices?.[0])
}
