import type { Child } from 'hono/jsx'

// One table of the pages: scrollable on a phone (or, with `cards`, each row
// a card there, its cells named by their data-label), a caption for screen
// readers, column heads (numbers right-aligned; "" for an actions column,
// named for screen readers only), and the rows.

export type Column = string | { label: string; num?: boolean }

export function DataTable(props: { caption: string; columns: Column[]; cards?: boolean; children: Child }) {
  return (
    <div class="table-wrap">
      <table class={props.cards ? 'cards' : undefined}>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((column) => {
              const { label, num } = typeof column === 'string' ? { label: column, num: false } : column
              if (label === '') {
                return (
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )
              }
              return (
                <th scope="col" class={num ? 'num' : undefined}>
                  {label}
                </th>
              )
            })}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  )
}
