// Reads of a page Kept makes only when a step failed, to say why: plain
// browser JavaScript (a TypeScript function would reach the page with the
// loader's helpers in it), evaluated in the page's world by page-reads.ts.
// An object of functions: page-reads.ts calls one by name.
({
  /** Each match's role, text, and the text of the largest part of the page around it that holds no other match (its card, its row). */
  describeCandidates(elements) {
    const clean = (text) => (text || '').replace(/\s+/g, ' ').trim().slice(0, 40)
    return elements.slice(0, 4).map((element) => {
      // A checkbox's or radio's value ("on") is no name a person reads.
      const toggle = element.tagName === 'INPUT' && /^(checkbox|radio)$/i.test(element.type)
      const labelled = (element.labels && element.labels[0] && element.labels[0].innerText) || ''
      const own = clean(element.innerText || element.getAttribute('aria-label') || labelled || (toggle ? '' : element.value) || '')
      let part = null
      for (let up = element.parentElement; up && !elements.some((other) => other !== element && up.contains(other)); up = up.parentElement) part = up
      let context = ''
      if (part) {
        const heading = part.querySelector('h1, h2, h3, h4, h5, h6, [role=heading], [class*=name], [class*=title]')
        const lines = [heading ? heading.innerText : '', ...(part.innerText || '').split('\n')].map(clean)
        context = lines.find((text) => text && text !== own) || ''
      }
      return { role: element.getAttribute('role') || (toggle ? element.type.toLowerCase() : element.tagName.toLowerCase()), text: own, context }
    })
  },

  /** Why `element` takes no action: disabled, read-only, out of sight, covered (by what), or null. */
  whyNot(element) {
    if (element.disabled || element.closest('fieldset[disabled]') || element.closest('[aria-disabled=true]')) return 'it is disabled'
    if (element.readOnly) return 'it is read-only'
    const box = element.getBoundingClientRect()
    const x = box.left + box.width / 2
    const y = box.top + box.height / 2
    if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return 'it is outside the visible part of the page and cannot be scrolled into view'
    const hit = element.getRootNode().elementFromPoint(x, y)
    if (!hit || hit === element || element.contains(hit)) return null
    if (element.labels && [...element.labels].some((label) => label === hit || label.contains(hit))) return null
    if (hit.contains(element)) return 'it does not take clicks (pointer-events: none)'
    const id = hit.id ? `#${hit.id}` : hit.classList[0] ? `.${hit.classList[0]}` : ''
    const words = (hit.getAttribute('aria-label') || hit.innerText || '').replace(/\s+/g, ' ').trim()
    return `it is covered by another element: <${hit.tagName.toLowerCase()}${id}>${words ? ` "${words.length > 60 ? `${words.slice(0, 59)}…` : words}"` : ''}`
  },

  /** What the document says is wrong: its alerts, and its fields marked invalid with their messages. */
  saysWrong() {
    const clean = (text) => (text || '').replace(/\s+/g, ' ').trim().slice(0, 120)
    const shown = (element) => {
      const box = element.getBoundingClientRect()
      return box.width > 0 && box.height > 0 && element.checkVisibility({ visibilityProperty: true, opacityProperty: true })
    }
    const byIds = (ids) =>
      (ids || '')
        .split(/\s+/)
        .map((id) => (id && document.getElementById(id) ? document.getElementById(id).textContent : ''))
        .join(' ')
    const said = []
    for (const alert of document.querySelectorAll('[role=alert], [role=alertdialog], [aria-live=assertive]')) {
      const text = clean(alert.innerText)
      if (text && shown(alert)) said.push(`"${text}"`)
    }
    // Many sites mark their error message only by its class or test id (Swag Labs' "Error: Last Name is
    // required", Juice Shop's "Invalid email or password."): the outermost shown one with a short text.
    const marked = [...document.querySelectorAll('[class*=error i], [data-test*=error i], [data-testid*=error i], [id*=error i]')].filter((element) => {
      const text = clean(element.innerText)
      // A field's own message is said with its field, below.
      const describes = element.id && document.querySelector(`[aria-describedby~="${CSS.escape(element.id)}"], [aria-errormessage~="${CSS.escape(element.id)}"]`)
      return text && text.length < 120 && !describes && shown(element) && !element.closest('[role=alert], [role=alertdialog], [aria-live=assertive]')
    })
    for (const element of marked) {
      if (marked.some((other) => other !== element && other.contains(element))) continue
      said.push(`"${clean(element.innerText)}"`)
    }
    for (const field of document.querySelectorAll('[aria-invalid=true], :user-invalid')) {
      if (!shown(field)) continue
      const name = clean((field.labels && field.labels[0] && field.labels[0].innerText) || field.getAttribute('aria-label') || field.placeholder || field.name)
      const message = clean(byIds(field.getAttribute('aria-errormessage')) || byIds(field.getAttribute('aria-describedby')) || field.validationMessage)
      said.push(`the field ${name ? `"${name}"` : 'without a name'} is marked invalid${message ? `: "${message}"` : ''}`)
    }
    return said
  },
})
