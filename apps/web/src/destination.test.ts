import assert from "node:assert/strict";
import { test } from "node:test";
import { readKept } from "./destination.ts";

const NOW = 1_763_800_000_000;
const kept = (path: unknown, untilMs: unknown) => JSON.stringify({ path, untilMs });

test("a remembered page is good until it goes stale", () => {
  assert.equal(readKept(kept("/join/ABCDEFGHJKMN", NOW + 1), NOW), "/join/ABCDEFGHJKMN");
  assert.equal(readKept(kept("/join/ABCDEFGHJKMN", NOW), NOW), undefined);
});

test("anything else in the slot is nothing to continue to", () => {
  for (const raw of [
    null,
    "",
    "/join/ABCDEFGHJKMN",
    "{",
    "null",
    kept("https://evil.example/", NOW + 60_000),
    kept("/api/me", NOW + 60_000),
    kept(42, NOW + 60_000),
    kept("/friends", "later"),
  ]) {
    assert.equal(readKept(raw, NOW), undefined, String(raw));
  }
});
