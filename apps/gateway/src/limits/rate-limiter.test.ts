import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { perPeriod, RateLimiter } from "./rate-limiter.ts";

function clock(startMs = 1_000_000) {
  const time = { nowMs: startMs };
  return { time, now: () => time.nowMs };
}

describe("RateLimiter", () => {
  test("100 per minute: the 101st is refused with the wait until the next token", () => {
    const { time, now } = clock();
    const limiter = new RateLimiter([perPeriod(100, 60_000)], now);
    for (let i = 0; i < 100; i++) assert.deepEqual(limiter.spend("1.2.3.4"), { ok: true });
    assert.deepEqual(limiter.spend("1.2.3.4"), { ok: false, retryAfterMs: 600 });
    assert.deepEqual(limiter.spend("5.6.7.8"), { ok: true }, "other keys have their own budget");
    time.nowMs += 600;
    assert.deepEqual(limiter.spend("1.2.3.4"), { ok: true });
    assert.equal(limiter.spend("1.2.3.4").ok, false);
  });

  test("30 per minute with a burst of 5 per second: both budgets apply", () => {
    const { time, now } = clock();
    const limiter = new RateLimiter([perPeriod(30, 60_000), perPeriod(5, 1_000)], now);
    for (let i = 0; i < 5; i++) assert.equal(limiter.spend("s").ok, true);
    assert.deepEqual(limiter.spend("s"), { ok: false, retryAfterMs: 200 });
    let sent = 5;
    for (let second = 1; second <= 10; second++) {
      time.nowMs += 1_000;
      while (limiter.spend("s").ok) sent++;
    }
    // 30 in the first bucket plus the refill of 10 s (one token every 2 s).
    assert.equal(sent, 35);
  });

  test("a refused spend takes no token from any budget", () => {
    const { time, now } = clock();
    const limiter = new RateLimiter([perPeriod(2, 1_000), perPeriod(10, 60_000)], now);
    limiter.spend("k");
    limiter.spend("k");
    for (let i = 0; i < 50; i++) assert.equal(limiter.spend("k").ok, false);
    time.nowMs += 1_000;
    assert.equal(limiter.spend("k").ok, true);
    assert.equal(limiter.spend("k").ok, true);
  });

  test("sweep forgets keys that have fully refilled, and only those", () => {
    const { time, now } = clock();
    const limiter = new RateLimiter([perPeriod(10, 10_000)], now);
    limiter.spend("a");
    time.nowMs += 5_000;
    for (let i = 0; i < 10; i++) limiter.spend("b");
    time.nowMs += 5_000;
    limiter.sweep();
    assert.equal(limiter.size, 1);
    assert.equal(limiter.spend("b").ok, true);
  });
});
