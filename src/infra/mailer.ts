import nodemailer, { type Transporter } from 'nodemailer'

/**
 * The SMTP transport for alerts and digests. Without SMTP_URL, mail is
 * written as JSON to the log instead of sent, so the demo still works.
 */
export function createMailer(smtpUrl: string | undefined): { transport: Transporter; configured: boolean } {
  if (smtpUrl) return { transport: nodemailer.createTransport(smtpUrl), configured: true }
  return { transport: nodemailer.createTransport({ jsonTransport: true }), configured: false }
}
