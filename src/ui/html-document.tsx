import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'

/**
 * The HTML frame every page shares (the app's, the digest's, the demo
 * shop's): doctype, language, charset, viewport and title; the head's
 * other parts and the body are each page's own.
 */
export function HtmlDocument(props: { title: string; head?: Child; bodyStyle?: string; children: Child }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{props.title}</title>
          {props.head}
        </head>
        <body style={props.bodyStyle}>{props.children}</body>
      </html>
    </>
  )
}
