import { z } from 'zod'
import type { AlertMessage } from '../../domain/alert-message.ts'
import { ChannelError, type SendContext, type SendOutcome } from './types.ts'

export const emailConfigSchema = z.object({
  to: z.union([z.email('expected an email address'), z.array(z.email('expected an email address')).min(1)]),
})

export type EmailConfig = z.infer<typeof emailConfigSchema>

const SCREENSHOT_CID = 'screenshot@kept'

/** A multipart text + HTML email; the screenshot inline when the evidence store has it. */
export async function sendEmail(config: EmailConfig, message: AlertMessage, ctx: SendContext): Promise<SendOutcome> {
  const mailer = ctx.mailer
  if (!mailer?.configured) {
    if (!ctx.keepUnsent) throw new ChannelError('SMTP_URL is not set: Kept cannot send email (set it, then test the channel again)')
    const to = Array.isArray(config.to) ? config.to : [config.to]
    await ctx.keepUnsent({ to, subject: message.subject, text: message.text, html: htmlPage(message.html) })
    return 'logged'
  }
  // A store that does not answer costs the picture, never the alert.
  const screenshot = ctx.screenshot ? await ctx.screenshot().catch(() => null) : null
  const image = screenshot
    ? `\n<p><img src="cid:${SCREENSHOT_CID}" alt="Screenshot of the failing step" style="max-width:100%;border:1px solid #ddd"></p>`
    : ''
  try {
    await mailer.transport.sendMail({
      from: mailer.from,
      to: config.to,
      subject: message.subject,
      text: message.text,
      html: htmlPage(`${message.html}${image}`),
      attachments: screenshot
        ? [{ filename: 'screenshot.png', content: screenshot, contentType: 'image/png', cid: SCREENSHOT_CID }]
        : [],
      headers: { 'X-Kept-Event': message.event, 'X-Kept-Delivery': ctx.deliveryId },
      // The same alert sent again (after a crash) has the same Message-ID,
      // which mail systems treat as one message.
      messageId: messageIdOf(ctx.deliveryId),
      ...thread(ctx.deliveryId),
    })
  } catch (error) {
    const err = error as Error & { responseCode?: number; response?: string }
    throw new ChannelError(`SMTP refused the message: ${err.response ?? err.message}`, err.responseCode ?? null)
  }
  return 'sent'
}

/** The email's HTML body around a message fragment. */
function htmlPage(fragment: string): string {
  return `<!doctype html><html><body style="font-family:sans-serif">\n${fragment}\n</body></html>`
}

/** A Message-ID made of the delivery key: "<b1.open.c1@kept>". */
export function messageIdOf(deliveryId: string): string {
  return `<${deliveryId.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/g, '.')}@kept>`
}

/** A resolve or reminder answers the open alert's email, so mail clients show one thread per break. */
function thread(deliveryId: string): { inReplyTo: string; references: string } | Record<string, never> {
  const [breakId, kind, channelId] = deliveryId.split(':')
  const answersOpen = kind === 'resolve' || Boolean(kind?.startsWith('reminder-'))
  if (!breakId || !channelId || !answersOpen) return {}
  const open = messageIdOf(`${breakId}:open:${channelId}`)
  return { inReplyTo: open, references: open }
}
