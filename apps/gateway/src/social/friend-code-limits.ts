import { AppError } from "../app-error.ts";
import { perPeriod, RateLimiter } from "../limits/rate-limiter.ts";

// An 8-character code has 2^40 values, so guessing one takes a great many lookups: every lookup
// counts against the user, and lookups that find nobody count much harder, per user and per IP.
const LOOKUPS_PER_10_MIN = 20;
const MISSES_PER_HOUR_PER_USER = 10;
const MISSES_PER_HOUR_PER_IP = 30;
const TEN_MINUTES_MS = 10 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
const SWEEP_EVERY_MS = 60 * 1000;

/** The budgets for sending friend requests by code. */
export class FriendCodeLimits {
  readonly #now: () => number;
  readonly #lookups: RateLimiter;
  readonly #userMisses: RateLimiter;
  readonly #ipMisses: RateLimiter;
  /** Keys whose miss budget ran out, until when: a locked-out caller gets no answer at all. */
  readonly #lockedUntilMs = new Map<string, number>();
  #sweptAtMs: number;

  constructor(now: () => number) {
    this.#now = now;
    this.#lookups = new RateLimiter([perPeriod(LOOKUPS_PER_10_MIN, TEN_MINUTES_MS)], now);
    this.#userMisses = new RateLimiter([perPeriod(MISSES_PER_HOUR_PER_USER, HOUR_MS)], now);
    this.#ipMisses = new RateLimiter([perPeriod(MISSES_PER_HOUR_PER_IP, HOUR_MS)], now);
    this.#sweptAtMs = now();
  }

  /** Throws `rate_limited` (with when to retry) when the caller may not look a code up now. */
  beforeLookup(userId: string, ip: string): void {
    const nowMs = this.#now();
    this.#sweepNow(nowMs);
    for (const key of [`user:${userId}`, `ip:${ip}`]) {
      const untilMs = this.#lockedUntilMs.get(key);
      if (untilMs === undefined) continue;
      if (untilMs > nowMs) throw tooMany(untilMs - nowMs);
      this.#lockedUntilMs.delete(key);
    }
    const spend = this.#lookups.spend(userId);
    if (!spend.ok) throw tooMany(spend.retryAfterMs);
  }

  /** A code that matched nobody: once a budget runs out, its key is locked until a token is back. */
  afterMiss(userId: string, ip: string): void {
    const nowMs = this.#now();
    for (const [limiter, key] of [
      [this.#userMisses, `user:${userId}`],
      [this.#ipMisses, `ip:${ip}`],
    ] as const) {
      const spend = limiter.spend(key);
      if (!spend.ok) this.#lockedUntilMs.set(key, nowMs + spend.retryAfterMs);
    }
  }

  #sweepNow(nowMs: number): void {
    if (nowMs - this.#sweptAtMs < SWEEP_EVERY_MS) return;
    this.#sweptAtMs = nowMs;
    this.#lookups.sweep();
    this.#userMisses.sweep();
    this.#ipMisses.sweep();
    for (const [key, untilMs] of this.#lockedUntilMs) {
      if (untilMs <= nowMs) this.#lockedUntilMs.delete(key);
    }
  }
}

function tooMany(retryAfterMs: number): AppError {
  return new AppError("rate_limited", "too many friend-code lookups; try again later", {
    retryAfterMs,
  });
}
