import type { Child } from 'hono/jsx'

// One labelled input with its hint and error, wired for screen readers:
// aria-describedby names the hint and the error, aria-invalid marks a
// field whose value was refused. Every form of the pages uses it.

export interface TextFieldProps {
  id: string
  name: string
  label: string
  value?: string
  type?: 'text' | 'number' | 'email' | 'password' | 'url'
  error?: string | undefined
  hint?: Child
  /** Prefix of the hint and error ids (`<prefix>-hint`, `<prefix>-error`); the id by default. */
  messagesId?: string
  /** Another hint that describes this field too (e.g. its group's). */
  alsoDescribedBy?: string
  autocomplete?: string
  required?: boolean
  placeholder?: string
  step?: string
  min?: number
  /** The value the promise's wording suggests, for the form script. */
  suggested?: number
  /** The id of a <datalist> of suggestions. */
  list?: string
}

export function describedBy(parts: (string | null | undefined | false)[]): string | undefined {
  const ids = parts.filter(Boolean)
  return ids.length ? ids.join(' ') : undefined
}

export function FieldMessages(props: { id: string; error?: string | undefined; hint?: Child }) {
  return (
    <>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <p class="error" id={`${props.id}-error`}>
        {props.error ?? ''}
      </p>
    </>
  )
}

export function TextField(props: TextFieldProps) {
  const messages = props.messagesId ?? props.id
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.type === 'password' ? undefined : (props.value ?? '')}
        required={props.required}
        step={props.step}
        min={props.min}
        placeholder={props.placeholder}
        autocomplete={props.autocomplete ?? 'off'}
        list={props.list}
        data-suggested={props.suggested === undefined ? undefined : String(props.suggested)}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy([props.alsoDescribedBy, props.hint ? `${messages}-hint` : null, props.error ? `${messages}-error` : null])}
      />
      <FieldMessages id={messages} error={props.error} hint={props.hint} />
    </div>
  )
}
