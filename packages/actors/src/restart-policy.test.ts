import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decideRestart, restartsInWindow, wantsRestart } from "./restart-policy.ts";

describe("restartsInWindow", () => {
  test("adds the restart now to the ones still inside the window, oldest first", () => {
    assert.deepEqual(restartsInWindow([], 1_000, 5_000), [1_000]);
    assert.deepEqual(restartsInWindow([1_000, 2_000], 3_000, 5_000), [1_000, 2_000, 3_000]);
  });

  test("forgets the restarts that left the window, the one exactly a window ago included", () => {
    assert.deepEqual(restartsInWindow([1_000, 2_000, 4_000], 7_000, 5_000), [4_000, 7_000]);
    assert.deepEqual(restartsInWindow([1_000, 2_000], 20_000, 5_000), [20_000]);
  });

  test("leaves the times it was given as they were", () => {
    const times = [1_000, 2_000];
    restartsInWindow(times, 9_000, 5_000);
    assert.deepEqual(times, [1_000, 2_000]);
  });
});

describe("decideRestart", () => {
  const intensity = { maxRestarts: 3, windowMs: 5_000 };

  test("restarts while the window holds at most maxRestarts, counting the one now", () => {
    assert.deepEqual(decideRestart([1_000, 2_000], 3_000, intensity), {
      isRestarting: true,
      timesMs: [1_000, 2_000, 3_000],
    });
    assert.deepEqual(decideRestart([1_000, 2_000, 3_000], 7_000, intensity), {
      isRestarting: true,
      timesMs: [3_000, 7_000],
    });
  });

  test("refuses one more, and the window keeps the restarts it counted, not the refused one", () => {
    assert.deepEqual(decideRestart([1_000, 2_000, 3_000], 4_000, intensity), {
      isRestarting: false,
      timesMs: [1_000, 2_000, 3_000],
    });
  });
});

describe("wantsRestart", () => {
  const crashed = { kind: "crashed", error: new Error("boom") } as const;
  const normal = { kind: "normal" } as const;
  const shutdown = { kind: "shutdown" } as const;

  test("permanent always, transient after a crash only, temporary never", () => {
    const table = (["permanent", "transient", "temporary"] as const).map((restart) => [
      restart,
      [crashed, normal, shutdown].map((reason) => wantsRestart(restart, reason)),
    ]);
    assert.deepEqual(table, [
      ["permanent", [true, true, true]],
      ["transient", [true, false, false]],
      ["temporary", [false, false, false]],
    ]);
  });
});
