export interface Budget {
  /** Tokens available at once. */
  capacity: number;
  /** How long one token takes to come back. */
  refillEveryMs: number;
}

export type Spend = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

const SPENT: Spend = Object.freeze({ ok: true });

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

/**
 * Token buckets per key (an IP, a session, an email). Several budgets can apply at once, e.g.
 * 30 per minute and 5 per second: a spend takes one token from each, or from none.
 */
export class RateLimiter {
  readonly #budgets: readonly Budget[];
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket[]>();

  constructor(budgets: readonly Budget[], now: () => number = Date.now) {
    if (budgets.length === 0) throw new Error("a rate limiter needs at least one budget");
    this.#budgets = budgets;
    this.#now = now;
  }

  /**
   * Takes `cost` tokens from every budget of `key`, or reports when they will be back. A cost
   * above one shares a budget out: a person on two gateways pays two at each.
   */
  spend(key: string, cost = 1): Spend {
    const nowMs = this.#now();
    const buckets = this.#bucketsOf(key, nowMs);
    let retryAfterMs = 0;
    for (let i = 0; i < buckets.length; i++) {
      const bucket = buckets[i] as Bucket;
      const budget = this.#budgets[i] as Budget;
      refill(bucket, budget, nowMs);
      if (bucket.tokens < cost) {
        const waitMs = Math.ceil((cost - bucket.tokens) * budget.refillEveryMs);
        retryAfterMs = Math.max(retryAfterMs, waitMs);
      }
    }
    if (retryAfterMs > 0) return { ok: false, retryAfterMs };
    for (const bucket of buckets) bucket.tokens -= cost;
    return SPENT;
  }

  /** Forgets keys whose buckets have refilled completely: they behave exactly like new ones. */
  sweep(): void {
    const nowMs = this.#now();
    for (const [key, buckets] of this.#buckets) {
      const isFull = buckets.every((bucket, i) => {
        const budget = this.#budgets[i] as Budget;
        refill(bucket, budget, nowMs);
        return bucket.tokens >= budget.capacity;
      });
      if (isFull) this.#buckets.delete(key);
    }
  }

  get size(): number {
    return this.#buckets.size;
  }

  #bucketsOf(key: string, nowMs: number): Bucket[] {
    let buckets = this.#buckets.get(key);
    if (!buckets) {
      buckets = this.#budgets.map((budget) => ({ tokens: budget.capacity, updatedAtMs: nowMs }));
      this.#buckets.set(key, buckets);
    }
    return buckets;
  }
}

function refill(bucket: Bucket, budget: Budget, nowMs: number): void {
  const elapsedMs = nowMs - bucket.updatedAtMs;
  if (elapsedMs <= 0) return;
  bucket.tokens = Math.min(budget.capacity, bucket.tokens + elapsedMs / budget.refillEveryMs);
  bucket.updatedAtMs = nowMs;
}

/** `n` per `periodMs`, all of them usable at once. */
export function perPeriod(n: number, periodMs: number): Budget {
  return { capacity: n, refillEveryMs: periodMs / n };
}
