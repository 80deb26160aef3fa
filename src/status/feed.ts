import { Feed } from 'feed'
import { formatDuration, formatShortTime } from '../domain/format.ts'
import type { StatusData } from './load.ts'

// The incidents as an Atom feed (RFC 4287), made by the `feed` package: one
// entry per incident, updated when it is resolved or a public note is added,
// so a feed reader or a chat integration hears of both.

export function incidentFeed(data: StatusData, baseUrl: string): string {
  const page = `${baseUrl}/status`
  const updated = data.incidents.reduce(
    (latest, i) => Math.max(latest, (i.resolvedAt ?? i.openedAt).getTime(), ...i.notes.map((n) => n.at.getTime())),
    0,
  )
  const feed = new Feed({
    id: page,
    title: `${data.name}: incidents`,
    link: page,
    updated: new Date(updated || data.generatedAt.getTime()),
    generator: 'Kept',
    feedLinks: { atom: `${page}/feed.atom` },
    copyright: data.name,
  })
  for (const i of data.incidents) {
    const lastNote = i.notes[i.notes.length - 1]
    const at = Math.max((i.resolvedAt ?? i.openedAt).getTime(), lastNote?.at.getTime() ?? 0)
    const span = i.resolvedAt
      ? `From ${formatShortTime(i.openedAt)} to ${formatShortTime(i.resolvedAt)} (${formatDuration(i.resolvedAt.getTime() - i.openedAt.getTime())}).`
      : `Since ${formatShortTime(i.openedAt)}.`
    feed.addItem({
      id: `${page}#incident-${i.id}`,
      // Atom's entry titles are HTML here: a promise's own "<" stays text.
      title: escapeHtml(`${i.title}: ${i.resolvedAt ? 'resolved' : 'broken'}`),
      link: `${page}#incident-${i.id}`,
      date: new Date(at),
      published: i.openedAt,
      content: [span, ...i.notes.map((n) => `${formatShortTime(n.at)}: ${n.body}`)].map(escapeHtml).map((p) => `<p>${p}</p>`).join(''),
    })
  }
  return feed.atom1()
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!)
}
