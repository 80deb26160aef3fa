import type { Transporter } from 'nodemailer'
import type { AlertMessage } from '../../domain/alert-message.ts'
import type { TargetPolicy } from '../../domain/target-policy.ts'

/** What a sender needs besides the channel config and the message. */
export interface SendContext {
  /** The delivery row id (webhook X-Kept-Delivery). */
  deliveryId: string
  now: Date
  /** Reads the first break's screenshot from the evidence store (null: there is none). */
  screenshot?: (() => Promise<Buffer | null>) | null
  /** For email channels. */
  mailer?: Mailer
  /** Per request; default 10 s. */
  timeoutMs?: number
  /** What a channel URL may reach: the journeys' policy (own-services.ts). */
  targetPolicy?: TargetPolicy
  /**
   * Where an email goes when SMTP_URL is not set (the outbox); without it,
   * an email channel fails saying so.
   */
  keepUnsent?: (mail: { to: string[]; subject: string; text: string; html: string }) => Promise<void>
}

/** What became of a message: handed to its channel, or kept in the outbox (email without SMTP). */
export type SendOutcome = 'sent' | 'logged'

export interface Mailer {
  transport: Transporter
  /** false: no SMTP_URL, mail would only be logged. */
  configured: boolean
  from: string
}

export type Sender<Config> = (config: Config, message: AlertMessage, ctx: SendContext) => Promise<SendOutcome | void>

/** A channel refused or could not be reached; the message is short enough for a UI. */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message)
    this.name = 'ChannelError'
  }
}
