import assert from "node:assert/strict";
import { test } from "node:test";
import {
  NOT_TYPING,
  onInput,
  onStop,
  type TypingSignal,
  type TypingState,
} from "./typing-throttle.ts";

function keys(times: number[], text = "hey"): TypingSignal[] {
  let state: TypingState = NOT_TYPING;
  const signals: TypingSignal[] = [];
  for (const t of times) {
    const [next, signal] = onInput(state, text, t);
    state = next;
    signals.push(signal);
  }
  return signals;
}

test("typing_start goes out at most every 2 s while typing", () => {
  assert.deepEqual(keys([0, 300, 1_999, 2_000, 2_500, 4_100]), [
    "typing_start",
    null,
    null,
    "typing_start",
    null,
    "typing_start",
  ]);
});

test("sending or blurring stops typing once; never a stop without a start", () => {
  const [typing] = onInput(NOT_TYPING, "h", 0);
  const [stopped, signal] = onStop(typing);
  assert.equal(signal, "typing_stop");
  assert.deepEqual(onStop(stopped), [NOT_TYPING, null]);
  const [, again] = onInput(stopped, "hi", 100);
  assert.equal(again, "typing_start", "typing again right after a send starts again");
});

test("clearing the box counts as stopping", () => {
  const [typing] = onInput(NOT_TYPING, "h", 0);
  assert.deepEqual(onInput(typing, "  ", 50), [NOT_TYPING, "typing_stop"]);
});
