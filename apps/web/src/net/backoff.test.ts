import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffDelayMs } from "./backoff.ts";

const options = { baseMs: 500, maxMs: 30_000 };

test("the first connection attempt does not wait", () => {
  assert.equal(
    backoffDelayMs(0, () => 0.99, options),
    0,
  );
});

test("the ceiling doubles with each try and stops at maxMs", () => {
  const ceilings = [1, 2, 3, 4, 5, 6, 7, 8, 20, 1000].map((tries) =>
    backoffDelayMs(tries, () => 0.999_999, options),
  );
  assert.deepEqual(ceilings, [499, 999, 1999, 3999, 7999, 15_999, 29_999, 29_999, 29_999, 29_999]);
});

test("full jitter: the delay is spread over the whole range", () => {
  assert.equal(
    backoffDelayMs(5, () => 0, options),
    0,
  );
  assert.equal(
    backoffDelayMs(5, () => 0.5, options),
    4000,
  );
});
