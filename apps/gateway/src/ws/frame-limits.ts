import type { Config } from "../config.ts";
import { perPeriod, RateLimiter, type Spend } from "../limits/rate-limiter.ts";
import type { Connection } from "./connection.ts";

const MINUTE_MS = 60_000;

/**
 * The WebSocket edge's rate limits, per person, so another tab does not refill a budget. Messages
 * have their own; every other frame, refused ones too, spends the control budget (refusals: 4008).
 */
export class FrameLimits {
  readonly #messages: RateLimiter;
  readonly #control: RateLimiter;
  readonly #maxRefusalsPerMinute: number;
  readonly #now: () => number;
  readonly #shareOf: (userId: string) => number;
  readonly #maxShare: number;

  /**
   * `shareOf`: among how many gateways the person's budgets are shared (cluster mode: the ones
   * they have sockets on); each of them charges that many tokens, so together they stay within
   * the budget. At most the smallest burst, or a person on many gateways could never send.
   */
  constructor(
    limits: Config["limits"],
    now: () => number,
    shareOf: (userId: string) => number = () => 1,
  ) {
    this.#now = now;
    this.#shareOf = shareOf;
    this.#maxShare = Math.min(limits.messageBurstPerSecond, limits.controlFrameBurst);
    this.#messages = new RateLimiter(
      [
        perPeriod(limits.messagesPerMinute, MINUTE_MS),
        perPeriod(limits.messageBurstPerSecond, 1_000),
      ],
      now,
    );
    // Frames other than a message have a budget of their own, so they never eat the message
    // budget; by default (burst 30, 10/s) far above what a person needs (a heartbeat every 15 s
    // per tab, a typing_start per second, a few joins): it only stops floods.
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
    return this.#messages.spend(conn.userId, this.#share(conn.userId));
  }

  spendControl(conn: Connection): Spend {
    return this.#control.spend(conn.userId, this.#share(conn.userId));
  }

  #share(userId: string): number {
    return Math.min(this.#maxShare, Math.max(1, this.#shareOf(userId)));
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
