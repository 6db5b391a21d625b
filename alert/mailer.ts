/**
 * The admin mailer: nodemailer over SMTP_URL. Timeouts are short so a dead SMTP server fails a tick
 * quickly and the outbox retries later, instead of a send hanging for nodemailer's two minutes.
 *
 * @module
 */
import nodemailer from "nodemailer";

/** One email to the admins. */
export interface Mail {
  subject: string;
  text: string;
  html?: string;
}

/** Sends mail; `send` rejects when the SMTP server refuses or cannot be reached. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/** Options of {@link createMailer}: SMTP_URL, ALERT_FROM, ALERT_TO. */
export interface MailerOptions {
  smtpUrl: string;
  from: string;
  to: readonly string[];
  /** Connection, greeting and socket timeouts in ms (default 5000). */
  timeoutMs?: number;
}

/**
 * Builds a mailer. `smtp://` speaks plain SMTP and upgrades with STARTTLS when offered;
 * `smtps://` is TLS from the start.
 *
 * @throws {RangeError} when there is no recipient
 */
export function createMailer(options: MailerOptions): Mailer {
  if (options.to.length === 0) {
    throw new RangeError("Cannot create mailer: ALERT_TO has no recipient");
  }
  const timeout = options.timeoutMs ?? 5000;
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 2,
  });
  return {
    async send(mail) {
      await transport.sendMail({
        from: options.from,
        to: [...options.to],
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
      });
    },
    close() {
      transport.close();
    },
  };
}
