import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Clock } from "./clock.ts";
import { type Deadline, DeadlineQueue } from "./deadlines.ts";
import { ManualClock } from "./testing/manual-clock.ts";

function entry(name: string, fired: string[]): Deadline {
  return { dueAt: 0, seq: 0, heapIndex: -1, onDeadline: () => fired.push(name) };
}

describe("DeadlineQueue", () => {
  test("fires entries in due-time order, ties in scheduling order", async () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const fired: string[] = [];
    queue.schedule(entry("c@30", fired), 30);
    queue.schedule(entry("a@10", fired), 10);
    queue.schedule(entry("b1@20", fired), 20);
    queue.schedule(entry("b2@20", fired), 20);
    queue.schedule(entry("d@40", fired), 40);
    await clock.advance(25);
    assert.deepEqual(fired, ["a@10", "b1@20", "b2@20"]);
    await clock.advance(100);
    assert.deepEqual(fired, ["a@10", "b1@20", "b2@20", "c@30", "d@40"]);
    assert.equal(queue.size, 0);
  });

  test("a cancelled entry never fires and the rest keep their order", async () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const fired: string[] = [];
    const entries = Array.from({ length: 20 }, (_, i) => entry(`e${i}`, fired));
    entries.forEach((e, i) => {
      queue.schedule(e, ((i * 7) % 20) + 1);
    });
    const cancelled = entries.filter((_, i) => i % 3 === 0);
    for (const e of cancelled) assert.equal(queue.cancel(e), true);
    assert.equal(queue.cancel(entries[0] as Deadline), false);
    await clock.advance(100);
    const expected = entries
      .map((e, i) => ({
        name: `e${i}`,
        dueAt: ((i * 7) % 20) + 1,
        isCancelled: cancelled.includes(e),
      }))
      .filter((e) => !e.isCancelled)
      .sort((a, b) => a.dueAt - b.dueAt)
      .map((e) => e.name);
    assert.deepEqual(fired, expected);
  });

  test("answered-in-time deadlines share one clock timer instead of arming one each", async () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const fired: string[] = [];
    for (let i = 0; i < 1_000; i++) {
      const e = entry(`call${i}`, fired);
      queue.schedule(e, 5_000);
      queue.cancel(e);
    }
    assert.equal(clock.setTimeoutCount, 1);
    assert.ok(clock.pendingTimerCount <= 1);
    await clock.advance(10_000);
    assert.deepEqual(fired, []);
  });

  test("re-arms earlier when a shorter deadline arrives", async () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue(clock);
    const fired: string[] = [];
    queue.schedule(entry("long", fired), 5_000);
    queue.schedule(entry("short", fired), 100);
    await clock.advance(100);
    assert.deepEqual(fired, ["short"]);
    assert.equal(clock.pendingTimerCount, 1);
  });

  test("lets the armed timer stop holding the process open while nothing is scheduled", () => {
    const keepAlive: boolean[] = [];
    const manual = new ManualClock();
    const clock: Clock = {
      now: () => manual.now(),
      setTimeout: (callback, delayMs) => manual.setTimeout(callback, delayMs),
      clearTimeout: (handle) => manual.clearTimeout(handle),
      setKeepAlive: (_handle, isKeptAlive) => keepAlive.push(isKeptAlive),
    };
    const queue = new DeadlineQueue(clock);
    const first = entry("first", []);
    queue.schedule(first, 1_000);
    queue.cancel(first);
    queue.schedule(entry("second", []), 2_000);
    assert.deepEqual(keepAlive, [false, true]);
  });
});
