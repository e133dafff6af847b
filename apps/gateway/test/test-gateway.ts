import type { Clock } from "@clofri/actors";
import type { DestinationStream } from "pino";
import type { Mail, Mailer } from "../src/auth/mailer.ts";
import type { Config } from "../src/config.ts";
import type { DatabaseHandle } from "../src/db/create-database.ts";
import { type Gateway, startGateway } from "../src/gateway.ts";
import { createLogger } from "../src/obs/logger.ts";

// What a test holds of its gateway, apart from how it is started (harness.ts: one gateway,
// pair-harness.ts: two of a cluster).

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

/** What tests use of a gateway: one, or (cluster pair mode) both of a pair at once. */
export interface GatewayView {
  readonly port: number;
  readonly appOrigin: string;
  readonly context: Gateway["context"];
  readonly realtime: {
    readonly connectionCount: number;
    readonly roomCount: number;
    connectionsOf(userId: string): number;
    sweep(): void;
    writeLastSeen(): Promise<void>;
    readonly presence: Gateway["realtime"]["presence"];
    readonly rooms: Pick<Gateway["realtime"]["rooms"], "crash" | "stall" | "presentIn" | "send">;
  };
  /**
   * Cluster pair mode: resolves once what either gateway published so far has reached the other
   * (a drop on one gateway has reached the room's owner before a test moves the rooms' clock).
   */
  crossNodeSettled?: () => Promise<void>;
  shutdown(): Promise<void>;
}

export interface TestGateway {
  gateway: GatewayView;
  /** Where the next WebSocket client connects (in cluster pair mode, each gateway in turn). */
  nextWsBase?: () => string;
  /** Every gateway's base URL (cluster pair mode). */
  bases?: readonly string[];
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

/** One gateway of a harness: its logs where the options say, on the harness's clock and mailer. */
export function startHarnessGateway(
  config: Config,
  parts: {
    database: DatabaseHandle;
    mailer: CapturingMailer;
    clock: { nowMs: number };
    options: TestGatewayOptions;
  },
): Promise<Gateway> {
  const { logDestination, ...gatewayOptions } = parts.options;
  return startGateway({
    config,
    logger: createLogger(config.logLevel, logDestination),
    database: parts.database,
    mailer: parts.mailer,
    now: () => parts.clock.nowMs,
    ...gatewayOptions,
  });
}
