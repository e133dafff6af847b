import type { Clock } from "@clofri/actors";
import type { DestinationStream } from "pino";
import type { Mail, Mailer } from "../src/auth/mailer.ts";
import { loadConfig } from "../src/config.ts";
import type { DatabaseHandle } from "../src/db/create-database.ts";
import type { TestEngine } from "../src/db/test-engines.ts";
import { type Gateway, startGateway } from "../src/gateway.ts";
import { createLogger } from "../src/obs/logger.ts";

/** A mailer that keeps what it was asked to send, standing in for an SMTP relay. */
export class CapturingMailer implements Mailer {
  readonly kind = "log" as const;
  readonly sent: Mail[] = [];
  readonly #waiters: Array<(mail: Mail) => void> = [];
  readonly #taken = new Set<Mail>();

  async send(mail: Mail): Promise<void> {
    this.sent.push(mail);
    for (const waiter of this.#waiters.splice(0)) waiter(mail);
  }

  close(): void {}

  /** The oldest mail to this address not taken yet, waiting for it if need be. */
  next(to: string): Promise<Mail> {
    const unread = this.sent.find((mail) => mail.to === to && !this.#taken.has(mail));
    if (unread) {
      this.#taken.add(unread);
      return Promise.resolve(unread);
    }
    return new Promise((resolve) => {
      const wait = (mail: Mail) => {
        if (mail.to !== to || this.#taken.has(mail)) return this.#waiters.push(wait);
        this.#taken.add(mail);
        resolve(mail);
      };
      this.#waiters.push(wait);
    });
  }
}

export interface TestGateway {
  gateway: Gateway;
  database: DatabaseHandle;
  mailer: CapturingMailer;
  base: string;
  origin: string;
  clock: { nowMs: number };
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /** Runs the real-time layer's timers (room and presence grace, typing, linger). */
  clock?: Clock;
  /** Enables `rooms.crash`. */
  enableTestHooks?: boolean;
  /** Where log lines go (at the LOG_LEVEL of `env`; silent by default). */
  logDestination?: DestinationStream;
}

/**
 * The real gateway in this process on 127.0.0.1:0 over a fresh database of the given engine.
 * Time is a settable clock (rate limits, expiries); `env` overrides configuration.
 */
export async function startTestGateway(
  engine: TestEngine,
  env: Record<string, string> = {},
  options: TestGatewayOptions = {},
): Promise<TestGateway> {
  const database = await engine.open();
  const config = loadConfig({ PORT: "0", LOG_LEVEL: "silent", ...env });
  const clock = { nowMs: Date.now() };
  const mailer = new CapturingMailer();
  const { logDestination, ...gatewayOptions } = options;
  const gateway = await startGateway({
    config,
    logger: createLogger(config.logLevel, logDestination),
    database,
    mailer,
    now: () => clock.nowMs,
    ...gatewayOptions,
  });
  return {
    gateway,
    database,
    mailer,
    base: `http://127.0.0.1:${gateway.port}`,
    origin: gateway.appOrigin,
    clock,
    async close() {
      await gateway.shutdown();
      await database.close();
    },
  };
}

/** The token inside a magic link, as the web app's verify page reads it from the fragment. */
export function tokenFromMail(mail: Mail): string {
  const match = /#token=([A-Za-z0-9_-]+)/.exec(mail.text);
  if (!match?.[1]) throw new Error(`no sign-in link in mail: ${mail.text}`);
  return match[1];
}

export function cookieValue(setCookie: string | null, name: string): string | undefined {
  const match = new RegExp(`(?:^|[;,]\\s*)${name}=([^;]*)`).exec(setCookie ?? "");
  return match?.[1];
}
