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
import { failureText, StepsTable } from './run-view.tsx'
import { describedBy, FieldMessages, TextField } from './field.tsx'

// The promise form: one page for new and edit. Every field keeps what the
// owner typed when the form comes back with errors, and each error sits
// next to its field (aria-describedby, aria-invalid).

export type TryOutcome = { result: RunResult; screenshotUrl: string | null } | { error: string }

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
  type?: 'text' | 'number' | 'email'
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
  const why = failureText(r.failure)
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
      {why ? <p class="error">{why}</p> : null}
      <StepsTable steps={r.steps} caption="Steps of the try" />
      {o.screenshotUrl ? (
        <img class="shot" src={o.screenshotUrl} alt="The page at the end of the walk" width={1280} height={720} loading="lazy" />
      ) : null}
      <p class="muted small">Nothing is saved yet. Save the promise to have it walked on its schedule.</p>
    </section>
  )
}

export function PromiseFormPage(props: {
  mode: 'new' | 'edit'
  action: string
  principal: Principal
  csrfToken: string | null
  values: PromiseFormValues
  errors: FieldErrors
  channels: { id: string; name: string; type: string }[]
  suggested: Budgets
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
        </fieldset>

        <fieldset>
          <legend>Budgets: the numbers the promise makes</legend>
          <p class="hint" id="budgets-hint" aria-live="polite">
            {budgetHint(props.suggested)}
          </p>
          <div class="grid">
            <Input alsoDescribedBy="budgets-hint" suggested={props.suggested.maxClicks} name="maxClicks" id="budget-maxClicks" label="Most clicks" type="number" min={0} values={values} errors={errors} />
            <Input alsoDescribedBy="budgets-hint" suggested={props.suggested.maxSeconds} name="maxSeconds" id="budget-maxSeconds" label="Most seconds in all" type="number" min={1} step="any" values={values} errors={errors} />
            <Input alsoDescribedBy="budgets-hint" suggested={props.suggested.maxStepSeconds} name="maxStepSeconds" id="budget-maxStepSeconds" label="Most seconds a step" type="number" min={1} step="any" values={values} errors={errors} />
            <Input alsoDescribedBy="budgets-hint" name="maxLcpMs" label="Largest paint, ms" type="number" min={100} values={values} errors={errors} />
            <Input alsoDescribedBy="budgets-hint" name="maxA11yViolations" label="Accessibility issues" type="number" min={0} values={values} errors={errors} />
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
              aria-describedby={['journey-hint', errors.journey ? 'journey-error' : null, 'journey-ok', 'journey-warnings'].filter(Boolean).join(' ')}
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
          <div class="grid">
            <div class="field">
              <label for="device">Device</label>
              <select id="device" name="device">
                <option value="desktop" selected={values.device === 'desktop'}>
                  Desktop
                </option>
                <option value="phone" selected={values.device === 'phone'}>
                  Phone
                </option>
              </select>
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
              hint="For the weekly NPS risk."
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
            <Input name="marketingOwner" label="Marketing owner (email)" type="email" values={values} errors={errors} autocomplete="email" />
            <Input name="techOwner" label="Tech owner (email)" type="email" values={values} errors={errors} autocomplete="email" />
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
