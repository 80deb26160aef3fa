// Kept's selector engine, registered as `kept=` (src/runner/engine.ts).
// Plain browser JavaScript, evaluated in Playwright's utility world of
// every document: it sees the page's DOM, never the page's scripts, and
// loads nothing into the page's own world.
//
// A query is a URI-encoded JSON object:
//   {op: 'find', action, name, testId?, within?, anyVisibility?, upTo?}
//       the elements a step means, in document order (see find below);
//       with upTo, only when the best way that finds any is at most upTo
//   {op: 'quiet', ms, after?}
//       the root when the document has loaded and its DOM has not changed
//       for `ms` milliseconds, nor since `after` (epoch ms: an action's start)
//
// Targets are found the way a person reads a page. Only elements a person
// can see count (not display:none, visibility:hidden, opacity 0, zero
// size, off the page, or clipped away). Names come from the visible text,
// aria-label, aria-labelledby, a label, title, an inner image's alt, a
// button's value and a field's placeholder; any of them may match. Exact
// names (any case) win over partial ones, controls over plain text.
(() => {
  const CONTROLS = {
    click:
      'button, a[href], area[href], summary, input[type=button], input[type=submit], input[type=reset], input[type=image], ' +
      'input[type=checkbox], input[type=radio], [role=button], [role=link], [role=checkbox], [role=radio], [role=menuitem], ' +
      '[role=menuitemcheckbox], [role=menuitemradio], [role=tab], [role=option], [role=switch], [role=treeitem]',
    fill:
      'input:not([type]), input[type=text], input[type=email], input[type=password], input[type=search], input[type=tel], ' +
      'input[type=url], input[type=number], input[type=date], input[type=datetime-local], input[type=month], input[type=week], ' +
      'input[type=time], textarea, [contenteditable=""], [contenteditable=true], [role=textbox], [role=searchbox], ' +
      '[role=combobox], [role=spinbutton]',
    select: 'select, [role=combobox], [role=listbox]',
    check:
      'input[type=checkbox], input[type=radio], [role=checkbox], [role=radio], [role=switch], [role=menuitemcheckbox], [role=menuitemradio]',
  }
  CONTROLS.hover = CONTROLS.scroll = `${CONTROLS.click}, ${CONTROLS.fill}, select`

  /** Which ways each action tries, in order: controls by name, plain text, a control near its text. */
  const WAYS = {
    click: { controls: true, text: true, near: false },
    hover: { controls: true, text: true, near: false },
    scroll: { controls: true, text: true, near: false },
    fill: { controls: true, text: false, near: true },
    select: { controls: true, text: false, near: true },
    check: { controls: true, text: false, near: true },
    text: { controls: false, text: true, near: false },
  }

  const TEST_ID_ATTRIBUTES = ['data-testid', 'data-test', 'data-test-id', 'data-cy']
  const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'TITLE', 'META', 'LINK'])

  const normalize = (text) => (text || '').replace(/\s+/g, ' ').trim()
  const lower = (text) => normalize(text).toLowerCase()

  // ---- the tree, shadow roots included ------------------------------------

  const parentOf = (node) => node.parentElement || (node.parentNode && node.parentNode.host) || null

  function childrenOf(element) {
    const children = [...element.children]
    if (element.shadowRoot) children.push(...element.shadowRoot.children)
    return children
  }

  /** Elements matching `selector` in `root` and in every open shadow root below it. */
  function queryDeep(root, selector) {
    const found = []
    const visit = (scope) => {
      if (scope.matches && scope.matches(selector)) found.push(scope)
      found.push(...scope.querySelectorAll(selector))
      for (const host of scope.querySelectorAll('*')) if (host.shadowRoot) visit(host.shadowRoot)
    }
    visit(root)
    if (root.shadowRoot) visit(root.shadowRoot)
    return [...new Set(found)]
  }

  /** Elements on the way to a shadow host: their textContent misses the host's shadow text, so text search may not skip them. */
  function shadowPaths(root) {
    const paths = new Set()
    for (const element of queryDeep(root, '*')) {
      if (!element.shadowRoot) continue
      for (let up = element; up && !paths.has(up); up = parentOf(up)) paths.add(up)
    }
    return paths
  }

  function inDocumentOrder(elements) {
    return [...new Set(elements)].sort((a, b) => (a === b ? 0 : a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1))
  }

  /** Drops the elements that hold another of the list: a person sees the inner one. */
  function innermost(elements) {
    return elements.filter((element) => !elements.some((other) => other !== element && element.contains(other)))
  }

  // ---- what a person sees -------------------------------------------------

  const FORM_CONTROL = new Set(['INPUT', 'SELECT', 'TEXTAREA'])

  /**
   * Painted and reachable: not display:none or visibility:hidden, no
   * transparent ancestor (a form control may be transparent itself: custom
   * checkboxes draw their own box), a size, not off the page, not clipped
   * away by an ancestor that hides its overflow.
   */
  function shown(element) {
    if (!element.isConnected) return false
    const style = getComputedStyle(element)
    if (style.display === 'contents') return childrenOf(element).some(shown)
    const selfOpacity = !FORM_CONTROL.has(element.tagName)
    if (!element.checkVisibility({ visibilityProperty: true, opacityProperty: selfOpacity, contentVisibilityAuto: true })) return false
    if (!selfOpacity) {
      for (let up = parentOf(element); up; up = parentOf(up)) if (getComputedStyle(up).opacity === '0') return false
    }
    const rect = element.getBoundingClientRect()
    if (rect.width * rect.height === 0 || (rect.width <= 1 && rect.height <= 1)) return false
    const view = element.ownerDocument.defaultView
    if (style.position === 'fixed') return true
    // What an ancestor that clips must show: the element, or the scrolling box it can be scrolled
    // into (Juice Shop's cards below the fold of an overflow:auto pane in an overflow:hidden shell).
    let { left, right, top, bottom } = rect
    for (let up = parentOf(element); up && up !== element.ownerDocument.body; up = parentOf(up)) {
      const upStyle = getComputedStyle(up)
      if (upStyle.overflowX === 'visible' && upStyle.overflowY === 'visible') continue
      const box = up.getBoundingClientRect()
      if (box.width === 0 || box.height === 0) return false
      const clips = (value) => value === 'hidden' || value === 'clip'
      const scrolls = (value) => value === 'auto' || value === 'scroll'
      if (clips(upStyle.overflowX) && (right <= box.left || left >= box.right)) return false
      if (clips(upStyle.overflowY) && (bottom <= box.top || top >= box.bottom)) return false
      if (scrolls(upStyle.overflowX)) ({ left, right } = box)
      if (scrolls(upStyle.overflowY)) ({ top, bottom } = box)
      if (upStyle.position === 'fixed') break
    }
    // Off the page (left: -9999px), unless a pane it can be scrolled in is on it.
    return !(right + view.scrollX <= 0 || bottom + view.scrollY <= 0)
  }

  // ---- names --------------------------------------------------------------

  /** Text of a label or a container, without the texts of the form controls inside it (a select's options). */
  function ownText(element, visible) {
    if (!visible) return element.textContent
    const hasControls = element.querySelector('select, textarea, option')
    if (!hasControls) return element.innerText
    const copy = element.cloneNode(true)
    for (const control of copy.querySelectorAll('select, textarea')) control.remove()
    return copy.textContent
  }

  function byIds(element, ids) {
    const root = element.getRootNode()
    return ids
      .split(/\s+/)
      .map((id) => (id && root.getElementById ? root.getElementById(id) : null))
      .filter(Boolean)
  }

  /**
   * Every name a person may call `element` by. `visible`: from the
   * rendered text (innerText, exact); otherwise from textContent (cheap,
   * to rule elements out before the exact look).
   */
  function namesOf(element, visible) {
    const names = []
    const add = (text) => {
      const name = normalize(text)
      if (name) names.push(name)
    }
    const attribute = (name) => element.getAttribute(name)
    add(attribute('aria-label'))
    const labelledBy = attribute('aria-labelledby')
    if (labelledBy) add(byIds(element, labelledBy).map((label) => label.textContent).join(' '))
    if (element.labels) for (const label of element.labels) add(ownText(label, visible))
    const tag = element.tagName
    if (tag === 'INPUT') {
      const type = (attribute('type') || 'text').toLowerCase()
      if (type === 'submit' || type === 'reset' || type === 'button') add(element.value || (type === 'submit' ? 'Submit' : type === 'reset' ? 'Reset' : ''))
      if (type === 'image') add(attribute('alt'))
    } else if (tag !== 'TEXTAREA' && tag !== 'SELECT') {
      add(ownText(element, visible))
      for (const inner of element.querySelectorAll('img[alt], [aria-label]')) add(inner.getAttribute('alt') || inner.getAttribute('aria-label'))
    }
    add(attribute('title'))
    add(attribute('placeholder'))
    add(attribute('aria-placeholder'))
    return names
  }

  /**
   * 2: a name equals `wanted` (any case; a required field's trailing " *"
   * or a label's ":" read as a person reads past them, so "Password *" is
   * Password, not Confirm Password), 1: a name holds it, 0: neither.
   */
  function likeness(names, wanted) {
    let best = 0
    for (const name of names) {
      const have = name.toLowerCase()
      if (have === wanted || have.replace(/[\s*:]+$/, '') === wanted) return 2
      if (have.includes(wanted)) best = 1
    }
    return best
  }

  // ---- the ways ------------------------------------------------------------

  /** Controls for `action` in `root` named `wanted` (lower case): {exact, partial}, shown ones only (a hidden control's shown label stands in). */
  function controlsNamed(root, action, wanted, anyVisibility) {
    const exact = []
    const partial = []
    for (const element of queryDeep(root, CONTROLS[action])) {
      if (likeness(namesOf(element, false), wanted) === 0) continue
      let standIn = element
      if (!anyVisibility && !shown(element)) {
        standIn = element.labels ? [...element.labels].find(shown) : undefined
        if (!standIn) continue
      }
      const level = likeness(namesOf(element, true), wanted)
      if (level === 2) exact.push(standIn)
      else if (level === 1) partial.push(standIn)
    }
    return { exact: innermost(exact), partial: innermost(partial) }
  }

  /** The innermost elements whose visible text holds `wanted` (lower case): {exact, partial}. */
  function textHolders(root, wanted, anyVisibility) {
    const exact = []
    const partial = []
    const paths = shadowPaths(root)
    const mayHold = (element) => !SKIPPED.has(element.tagName) && (paths.has(element) || lower(element.textContent).includes(wanted))
    // An element holds the text when no child holds all of it: a hidden
    // child that does keeps its parents from holding it (a transparent
    // banner's button is not its body's text).
    const visit = (element) => {
      let inner = false
      let inChild = false
      for (const child of childrenOf(element)) {
        if (!mayHold(child)) continue
        if (visit(child)) inner = true
        else if (lower(child.textContent).includes(wanted)) inChild = true
      }
      if (inner) return true
      if (inChild) return false
      const text = lower(element.innerText === undefined ? element.textContent : element.innerText)
      if (!text.includes(wanted) || (!anyVisibility && !shown(element))) return false
      ;(text === wanted ? exact : partial).push(element)
      return true
    }
    const start = root.nodeType === Node.DOCUMENT_NODE ? root.documentElement : root
    if (start && mayHold(start)) visit(start)
    return { exact, partial }
  }

  function byTestId(root, id, anyVisibility) {
    const selector = TEST_ID_ATTRIBUTES.map((name) => `[${name}="${CSS.escape(id)}"]`).join(', ')
    return queryDeep(root, selector).filter((element) => anyVisibility || shown(element))
  }

  /**
   * A control near its text, for a field or checkbox with no name of its
   * own: from each element showing exactly `wanted`, up to the first
   * ancestor holding any control for `action`; that one when it is alone.
   */
  function nearText(root, action, wanted, anyVisibility) {
    const found = []
    // A row showing exactly that text first; else one whose text holds it (Juice Shop's address
    // row "Room 3F 121, Deck 5, USS Enterprise, 1701" is the one a person calls "Room 3F 121").
    const holders = textHolders(root, wanted, anyVisibility)
    for (const holder of holders.exact.length ? holders.exact : holders.partial) {
      for (let up = holder; up && up !== root.parentNode; up = parentOf(up)) {
        const controls = queryDeep(up, CONTROLS[action]).filter((element) => anyVisibility || shown(element))
        if (controls.length === 0) continue
        if (controls.length === 1) found.push(controls[0])
        break
      }
    }
    return found
  }

  /**
   * The best way's matches in `root`, up to way `upTo` (1 to 5): 1 controls
   * named exactly, 2 text shown exactly, 3 and 4 the same partly, 5 a
   * control near its text. A test id is way 1.
   */
  function findIn(root, query) {
    const upTo = query.upTo || 5
    const wanted = lower(query.name)
    if (query.testId) return byTestId(root, query.name, query.anyVisibility)
    const ways = WAYS[query.action]
    const controls = ways.controls ? controlsNamed(root, query.action, wanted, query.anyVisibility) : { exact: [], partial: [] }
    if (controls.exact.length) return controls.exact
    if (upTo < 2) return []
    const text = ways.text ? textHolders(root, wanted, query.anyVisibility) : { exact: [], partial: [] }
    if (text.exact.length) return text.exact
    if (upTo < 3) return []
    if (controls.partial.length) return controls.partial
    if (upTo < 4) return []
    if (text.partial.length) return text.partial
    if (upTo < 5) return []
    return ways.near ? nearText(root, query.action, wanted, query.anyVisibility) : []
  }

  const PARTS = new Set(['LI', 'TR', 'ARTICLE', 'SECTION', 'FORM', 'DIALOG', 'FIELDSET', 'ASIDE', 'BODY', 'HTML'])
  const PART_ROLES = new Set(['listitem', 'row', 'article', 'region', 'form', 'dialog', 'alertdialog', 'group', 'gridcell', 'tabpanel'])

  /** One of several siblings alike (same tag and classes): an item of a list of cards or rows. */
  function repeated(element) {
    const parent = element.parentElement
    if (!parent || !element.className || typeof element.className !== 'string') return false
    let alike = 0
    for (const sibling of parent.children) if (sibling.tagName === element.tagName && sibling.className === element.className) alike++
    return alike >= 2
  }

  /** The part of the page a text belongs to: its card or row (an item of a list of alike ones), list item, section, form or dialog. */
  function partAround(element) {
    for (let up = element; up; up = parentOf(up)) {
      if (PARTS.has(up.tagName) || PART_ROLES.has(up.getAttribute('role')) || repeated(up)) return up
    }
    return element.ownerDocument.body
  }

  /**
   * `within`: the parts of the page showing that text (their card, row,
   * list item, section, form or dialog). A text is looked for in them only;
   * a target too, unless a part holds none: then from there up to the
   * smallest part of the page that holds one. Several targets found is
   * ambiguous.
   */
  function find(root, query) {
    if (!query.within) return inDocumentOrder(findIn(root, query))
    const scope = lower(query.within)
    const holders = textHolders(root, scope, query.anyVisibility)
    const found = []
    for (const holder of holders.exact.length ? holders.exact : holders.partial) {
      const part = partAround(holder)
      const inPart = findIn(part, query)
      if (inPart.length > 0 || query.action === 'text') {
        found.push(...inPart)
        continue
      }
      for (let up = parentOf(part); up; up = parentOf(up)) {
        const targets = findIn(up, query)
        if (targets.length === 0) continue
        found.push(...targets)
        break
      }
    }
    return inDocumentOrder(found)
  }

  // ---- quiet -----------------------------------------------------------------

  // When the DOM last changed (epoch ms) since the document loaded, seen
  // from this world: a page's own loading is the navigation's, already
  // waited for; what changes after it is what an action set off. Style
  // attributes are left out: animations write them on every frame.
  let lastChange = 0
  let observer = null
  function watchChanges(document) {
    if (observer) return
    observer = new MutationObserver((records) => {
      if (document.readyState !== 'complete') return
      if (records.some((record) => record.type !== 'attributes' || record.attributeName !== 'style')) lastChange = Date.now()
    })
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true })
  }

  /**
   * Loaded, and no change for `ms` since the last one and since `after`
   * (an action on this document may set off changes a moment later; a
   * document begun after it, the page the action opened, is its result).
   */
  function quiet(document, ms, after) {
    const since = after && performance.timeOrigin < after ? after : 0
    return document.readyState === 'complete' && Date.now() - Math.max(lastChange, since) >= ms
  }

  function queryAll(root, body) {
    const query = JSON.parse(decodeURIComponent(body))
    const document = root.ownerDocument || root
    watchChanges(document)
    if (query.op === 'quiet') return quiet(document, query.ms, query.after) ? [root] : []
    if (query.op === 'find') return find(root, query)
    throw new Error(`kept: unknown query ${query.op}`)
  }

  // ---- pointing (the journey builder, src/builder) ---------------------------
  // Not a selector: the builder evaluates this same file in the page and asks
  // what a person pointed at, so the step it writes uses these names.

  const FIELDS_AND_LISTS = `${CONTROLS.fill}, select`
  const short = (text, max) => {
    const line = normalize(text)
    if (line.length <= max) return line
    const cut = line.slice(0, max)
    const space = cut.lastIndexOf(' ')
    return space > max / 2 ? cut.slice(0, space) : cut
  }

  /** The deepest element at a point, through open shadow roots. */
  function elementAt(document, x, y) {
    let element = document.elementFromPoint(x, y)
    while (element && element.shadowRoot) {
      const inner = element.shadowRoot.elementFromPoint(x, y)
      if (!inner || inner === element) break
      element = inner
    }
    return element
  }

  function closest(element, selector) {
    for (let up = element; up; up = parentOf(up)) if (up.matches && up.matches(selector)) return up
    return null
  }

  /** Short texts of a part of the page, headings first, that may tell it apart (for `in "…"`). */
  function partTexts(part, exclude) {
    const texts = []
    const add = (element) => {
      if (!shown(element)) return
      const text = short(element.innerText, 60)
      if (text.length < 2 || texts.includes(text) || lower(text).includes(exclude) || exclude.includes(lower(text))) return
      texts.push(text)
    }
    for (const heading of part.querySelectorAll('h1, h2, h3, h4, h5, h6, [role=heading], legend, caption, label, strong, b')) add(heading)
    for (const element of part.querySelectorAll('*')) {
      if (SKIPPED.has(element.tagName) || element.children.length > 0 || element.matches(CONTROLS.click)) continue
      add(element)
    }
    return texts.slice(0, 8)
  }

  /**
   * What a person pointed at, for `action` ('click', 'fill' or 'text'):
   * {element, info}. For a click, the clickable ancestor (or the text
   * itself); for fill, the field; for text, the text shown there. info:
   * {kind, names, scopes, testIds, text?}; kind 'none' when nothing fits,
   * 'field' when a click landed on a field, 'frame' inside a frame.
   */
  function pointAt(document, x, y, action) {
    const hit = elementAt(document, x, y)
    const none = (kind) => ({ element: null, info: { kind: kind || 'none', names: [], scopes: [], testIds: [] } })
    if (!hit) return none()
    if (hit.tagName === 'IFRAME' || hit.tagName === 'FRAME') return none('frame')
    let element = null
    let kind = action
    if (action === 'text') {
      element = hit
      while (element && !normalize(element.innerText) && parentOf(element)) element = parentOf(element)
      // The page's blank space is no text a person pointed at.
      if (!element || element.tagName === 'BODY' || element.tagName === 'HTML' || element.tagName === 'MAIN') return none()
      const text = short(element.innerText, 80)
      if (!text) return none()
      return { element, info: { kind: 'text', names: [], scopes: [], testIds: [], text } }
    }
    if (action === 'fill') {
      element = closest(hit, FIELDS_AND_LISTS)
      if (!element && hit.tagName === 'LABEL' && hit.control) element = hit.control
      if (!element) return none()
      if (element.tagName === 'SELECT') kind = 'select'
    } else {
      const field = closest(hit, FIELDS_AND_LISTS)
      if (field || (hit.tagName === 'LABEL' && hit.control && hit.control.matches(FIELDS_AND_LISTS))) {
        const target = field || hit.control
        return { element: target, info: { kind: 'field', names: namesOf(target, true), scopes: [], testIds: [], list: target.tagName === 'SELECT' } }
      }
      element = closest(hit, CONTROLS.click)
      // A drawn checkbox: the label shows, the box itself may be hidden.
      const label = element ? null : closest(hit, 'label')
      if (label && label.control && label.control.matches(CONTROLS.check)) element = label.control
      if (element && element.matches(CONTROLS.check)) kind = element.checked || element.getAttribute('aria-checked') === 'true' ? 'uncheck' : 'check'
      // No control: a short text (a card's title a script listens to); never a whole region of the page.
      if (!element) {
        element = hit
        const text = normalize(element.innerText)
        if (!text || text.length > 80 || PARTS.has(element.tagName) || element.tagName === 'MAIN' || element.tagName === 'DIV' && element.children.length > 2) return none()
      }
    }
    const names = []
    const add = (name) => {
      const text = short(name, 80)
      if (text && !names.includes(text)) names.push(text)
    }
    // The visible text first: what marketing reads on the page; then the others.
    if (!element.matches(CONTROLS.fill) && element.tagName !== 'SELECT' && !(element.tagName === 'INPUT')) add(element.innerText)
    for (const name of namesOf(element, true)) add(name)
    const exclude = lower(names[0] || '')
    const scopes = []
    for (let part = partAround(element), level = 0; part && level < 3; part = parentOf(part) && partAround(parentOf(part)), level++) {
      for (const text of partTexts(part, exclude)) if (!scopes.includes(text)) scopes.push(text)
      if (part.tagName === 'BODY' || part.tagName === 'HTML') break
    }
    const testIds = TEST_ID_ATTRIBUTES.map((name) => element.getAttribute(name)).filter((id) => id && !/\s/.test(id))
    return { element, info: { kind, names, scopes: scopes.slice(0, 12), testIds } }
  }

  return {
    queryAll,
    query: (root, body) => queryAll(root, body)[0] || null,
    pointAt,
  }
})()
