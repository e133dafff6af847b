import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "./testing/manual-clock.ts";

describe("ManualClock", () => {
  test("advance fires due timers in order, each at its own due time", async () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`late@${clock.now()}`), 500);
    const cleared = clock.setTimeout(() => fired.push("cleared"), 15);
    clock.clearTimeout(cleared);
    await clock.advance(100);
    assert.deepEqual(fired, ["a@1010", "b@1020"]);
    assert.equal(clock.now(), 1_100);
    assert.equal(clock.pendingTimerCount, 1);
  });

  test("a timer armed by a firing timer within the window fires in the same advance", async () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      queueMicrotask(() => clock.setTimeout(() => fired.push(clock.now()), 30));
    }, 10);
    await clock.advance(50);
    assert.deepEqual(fired, [10, 40]);
  });
});
