import assert from "node:assert/strict";
import { test } from "node:test";
import { sendErrorText } from "./wording.ts";

test("a rate-limited send says when to try again, rounded up to whole seconds", () => {
  assert.equal(
    sendErrorText({ code: "rate_limited", message: "too many", retryAfterMs: 1_200 }),
    "Slow down: you can send again in 2 s.",
  );
  assert.equal(sendErrorText({ code: "muted", message: "muted" }), "You are muted in this group.");
});
