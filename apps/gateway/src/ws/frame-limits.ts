import type { Config } from "../config.ts";
import { perPeriod, RateLimiter, type Spend } from "../limits/rate-limiter.ts";
import type { Connection } from "./connection.ts";

const MINUTE_MS = 60_000;

/**
 * The rate limits of the WebSocket edge. Messages are budgeted per session, shared by all its
 * tabs, so reconnecting does not refill the budget; other frames per connection.
 */
export class FrameLimits {
  readonly #messages: RateLimiter;
  readonly #control: RateLimiter;
  readonly #maxRefusalsPerMinute: number;
  readonly #now: () => number;

  constructor(limits: Config["limits"], now: () => number) {
    this.#now = now;
    this.#messages = new RateLimiter(
      [
        perPeriod(limits.messagesPerMinute, MINUTE_MS),
        perPeriod(limits.messageBurstPerSecond, 1_000),
      ],
      now,
    );
    // Frames other than `send` (join, leave, typing, heartbeat) have a budget of their own, so
    // they never eat the message budget; by default (burst 30, 10/s) far above what a client
    // needs (a heartbeat every 15 s, a typing_start per second, a few joins): it only stops floods.
    this.#control = new RateLimiter(
      [
        {
          capacity: limits.controlFrameBurst,
          refillEveryMs: 1_000 / limits.controlFramesPerSecond,
        },
      ],
      now,
    );
    this.#maxRefusalsPerMinute = limits.abuseFactor * limits.messagesPerMinute;
  }

  spendMessage(conn: Connection): Spend {
    return this.#messages.spend(conn.sessionId);
  }

  spendControl(conn: Connection): Spend {
    return this.#control.spend(conn.id);
  }

  /** Counts one refused frame; true once the connection is far past the limits (close 4008). */
  isAbusive(conn: Connection): boolean {
    const nowMs = this.#now();
    const window = conn.refusals;
    if (nowMs - window.windowStartMs >= MINUTE_MS) {
      window.windowStartMs = nowMs;
      window.count = 0;
    }
    window.count++;
    return window.count > this.#maxRefusalsPerMinute;
  }

  /** Forgets budgets that have refilled completely. */
  sweep(): void {
    this.#messages.sweep();
    this.#control.sweep();
  }
}
