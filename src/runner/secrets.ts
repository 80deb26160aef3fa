/**
 * The forms a secret value can take in results, logs and trace files:
 * as typed, URL- and form-encoded (a submitted form), JSON- and
 * HTML-escaped, and base64 (basic auth). All of them are masked.
 */
export function secretVariants(values: Iterable<string>): string[] {
  const variants = new Set<string>()
  for (const value of values) {
    if (value.length === 0) continue
    variants.add(value)
    variants.add(encodeURIComponent(value))
    variants.add(new URLSearchParams({ v: value }).toString().slice(2))
    variants.add(JSON.stringify(value).slice(1, -1))
    variants.add(value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'))
    if (value.length >= 4) variants.add(Buffer.from(value).toString('base64').replace(/=+$/, ''))
  }
  // Longest first, so a masked short form never splits a longer one.
  return [...variants].sort((a, b) => b.length - a.length)
}
