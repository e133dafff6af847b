import { createTransport } from "nodemailer";
import type { Logger } from "../obs/logger.ts";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  readonly kind: "smtp" | "log";
  send(mail: Mail, logFields: Record<string, unknown>): Promise<void>;
  close(): void;
}

/** Delivery through an SMTP relay (`SMTP_URL`). */
export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = createTransport(smtpUrl);
  return {
    kind: "smtp",
    async send(mail) {
      await transport.sendMail({ from, ...mail });
    },
    close: () => transport.close(),
  };
}

/**
 * The development default with no SMTP relay: the mail's fields go to the log, so whoever runs the
 * server can open the link. Never used when `SMTP_URL` is set.
 */
export function logMailer(logger: Logger): Mailer {
  return {
    kind: "log",
    async send(mail, logFields) {
      logger.info({ event: "mail_logged", to: mail.to, subject: mail.subject, ...logFields });
    },
    close() {},
  };
}
