// Key names for `press`: Playwright's names, with the spellings people use
// (Esc, Return, Ctrl, Cmd…) mapped onto them. Combos join with "+".

const KEYS = [
  'Enter', 'Tab', 'Escape', 'Backspace', 'Delete', 'Insert', 'Space',
  'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown',
  'F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9', 'F10', 'F11', 'F12',
]
const MODIFIERS = ['Shift', 'Control', 'Alt', 'Meta', 'ControlOrMeta']

const ALIASES: Record<string, string> = {
  esc: 'Escape',
  return: 'Enter',
  del: 'Delete',
  ins: 'Insert',
  up: 'ArrowUp',
  down: 'ArrowDown',
  left: 'ArrowLeft',
  right: 'ArrowRight',
  pgup: 'PageUp',
  pgdn: 'PageDown',
  pgdown: 'PageDown',
  ctrl: 'Control',
  cmd: 'Meta',
  command: 'Meta',
  option: 'Alt',
  opt: 'Alt',
}

const byLowerCase = new Map<string, string>()
for (const name of [...KEYS, ...MODIFIERS]) byLowerCase.set(name.toLowerCase(), name)
for (const [alias, name] of Object.entries(ALIASES)) byLowerCase.set(alias, name)

const isModifier = (name: string) => MODIFIERS.includes(name)

function normalizePart(part: string): string | null {
  // A single character is typed as itself ("a", "/", "+").
  if ([...part].length === 1) return part
  return byLowerCase.get(part.toLowerCase()) ?? null
}

/** Playwright's name for a key or combo ("ctrl+a" → "Control+a"), or null if unknown. */
export function normalizeKey(written: string): string | null {
  if (written === '') return null
  if ([...written].length === 1) return written
  // "Control + A" as people write it.
  const combo = written.trim().replace(/\s*\+\s*/g, '+')
  // A trailing "+" after a separator is the plus key itself: "Shift++".
  const parts = combo.endsWith('++') ? [...combo.slice(0, -2).split('+'), '+'] : combo.split('+')
  const normalized: string[] = []
  for (const [i, part] of parts.entries()) {
    const name = normalizePart(part)
    if (name === null) return null
    const last = i === parts.length - 1
    if (!last && !isModifier(name)) return null
    normalized.push(name)
  }
  return normalized.join('+')
}

/** Examples for messages and the docs. */
export const KEY_EXAMPLES = 'Enter, Tab, Escape, ArrowDown or Control+A'
