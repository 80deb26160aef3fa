import type { Child } from 'hono/jsx'
import type { Principal } from '../auth/permissions.ts'
import { Csrf, Layout, type NavKey } from './layout.tsx'

// The one "are you sure?" page of a delete: what goes, what it touches,
// a danger button that posts, and a way back that keeps it.

export function ConfirmDeletePage(props: {
  title: string
  heading: Child
  principal: Principal
  csrfToken: string | null
  nav: NavKey
  action: string
  confirm: string
  keepHref: string
  children: Child
}) {
  return (
    <Layout title={props.title} principal={props.principal} csrfToken={props.csrfToken} nav={props.nav}>
      <h1>{props.heading}</h1>
      {props.children}
      <div class="actions">
        <form method="post" action={props.action}>
          <Csrf token={props.csrfToken} />
          <button class="btn danger" type="submit">
            {props.confirm}
          </button>
        </form>
        <a class="btn secondary" href={props.keepHref}>
          Keep it
        </a>
      </div>
    </Layout>
  )
}
