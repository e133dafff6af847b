import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { SlicedScan } from "./sliced-scan.ts";

function scanOf(size: number) {
  const map = new Map<number, number>();
  for (let i = 0; i < size; i++) map.set(i, i);
  const visited: number[] = [];
  const scan = new SlicedScan({
    map,
    periodMs: 100,
    visit: (value) => visited.push(value),
    nowMs: 0,
  });
  /** What the steps at these times visited. */
  const stepAt = (...times: number[]) => {
    visited.length = 0;
    for (const t of times) scan.step(t);
    return [...visited];
  };
  return { map, stepAt };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("SlicedScan", () => {
  test("a step every tenth of the period visits a tenth of the values, all of them once per period, then again", () => {
    const { stepAt } = scanOf(25);
    assert.deepEqual(stepAt(10), [0, 1, 2]);
    assert.deepEqual(stepAt(20, 30, 40, 50, 60, 70, 80, 90, 100), [
      ...range(3, 25),
      ...range(0, 5),
    ]);
    // Three per step: the first pass ended in the ninth step, and the second goes on from there.
    assert.deepEqual(stepAt(110), [5, 6, 7]);
  });

  test("a late step visits what the time since the last one is due, at most every value once", () => {
    const { stepAt } = scanOf(20);
    assert.deepEqual(stepAt(30), range(0, 6));
    assert.deepEqual(stepAt(1_000), [...range(6, 20), ...range(0, 6)]);
  });

  test("values added during a pass are reached in it; values deleted before their turn are not", () => {
    const { map, stepAt } = scanOf(10);
    assert.deepEqual(stepAt(50), range(0, 5));
    map.delete(7);
    map.set(10, 10);
    assert.deepEqual(stepAt(100), [5, 6, 8, 9, 10]);
  });

  test("the visit may delete the value it is given", () => {
    const map = new Map([
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ]);
    const visited: number[] = [];
    const scan = new SlicedScan({
      map,
      periodMs: 100,
      visit: (value) => {
        visited.push(value);
        if (value === 2) map.delete("b");
      },
      nowMs: 0,
    });
    scan.step(100);
    scan.step(200);
    assert.deepEqual(visited, [1, 2, 3, 1, 3]);
  });

  test("an emptied map starts over from its first value once it fills again", () => {
    const { map, stepAt } = scanOf(10);
    assert.deepEqual(stepAt(30), [0, 1, 2]);
    map.clear();
    assert.deepEqual(stepAt(40, 50), []);
    map.set(100, 100);
    map.set(101, 101);
    assert.deepEqual(stepAt(150), [100, 101]);
  });

  test("a cursor parked in an emptied map does not keep the deleted values alive", async () => {
    setFlagsFromString("--expose-gc");
    const collectGarbage = runInNewContext("gc") as () => void;
    const map = new Map<number, { n: number }>();
    for (let n = 0; n < 1_000; n++) map.set(n, { n });
    const scan = new SlicedScan({ map, periodMs: 100, visit: () => {}, nowMs: 0 });
    scan.step(10);
    const values = [...map.values()].map((value) => new WeakRef(value));
    // The map shrinks as it empties; an iterator left on an older table keeps that table's
    // entries (a quarter of them here) until its next step.
    for (const key of [...map.keys()]) map.delete(key);
    scan.step(20);
    // A WeakRef holds its target until the job that made it has ended.
    await nextTurn();
    collectGarbage();
    assert.equal(values.filter((value) => value.deref() !== undefined).length, 0);
  });
});
