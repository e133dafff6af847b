import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeClientFrame } from "./codec.ts";
import { LIMITS } from "./codes.ts";
import { GROUP_ID } from "./testing/sample-frames.ts";
import { excerpt, isOneEmoji } from "./text.ts";

const ID = "a1b2c3d4-e5f6-4789-8abc-def012345678";

describe("isOneEmoji", () => {
  test("takes one emoji, with its modifiers, joiners, flags and keycaps", () => {
    for (const emoji of ["😀", "👍", "👍🏽", "❤️", "👩‍👩‍👧", "🏳️‍🌈", "🇫🇷", "1️⃣", "#️⃣", "©️"]) {
      assert.equal(isOneEmoji(emoji), true, emoji);
    }
  });

  test("refuses text, two emoji, spaces, control characters and anything too long", () => {
    const tooLong = "👩🏽‍👩🏽‍👧🏽‍👦🏽"; // one grapheme, 41 bytes
    for (const text of ["", "a", "1", "ok", "😀😀", " 😀", "😀 ", "\n", "\u0000", "🇫", tooLong]) {
      assert.equal(isOneEmoji(text), false, JSON.stringify(text));
    }
  });
});

describe("excerpt", () => {
  test("puts the text on one line and cuts it to 80 characters with an ellipsis", () => {
    assert.equal(excerpt("  two\nlines  "), "two lines");
    const cut = excerpt("x".repeat(200));
    assert.equal(cut.length, LIMITS.maxExcerptLength);
    assert.ok(cut.endsWith("…"));
  });
});

describe("message action frames", () => {
  test("unsend, edit and react decode with their fields", () => {
    for (const frame of [
      { type: "unsend", group: GROUP_ID, id: ID, ref: "1" },
      { type: "edit", group: GROUP_ID, id: ID, text: "fixed" },
      { type: "react", group: GROUP_ID, id: ID, emoji: "👍", on: true },
      { type: "send", group: GROUP_ID, text: "me too", key: "k", replyTo: ID },
    ]) {
      assert.deepEqual(decodeClientFrame(JSON.stringify(frame)), { ok: true, frame });
    }
  });

  test("a wrong field is an invalid_frame naming it", () => {
    const cases: Array<[object, string]> = [
      [{ type: "unsend", group: GROUP_ID }, 'missing field "id"'],
      [{ type: "unsend", group: GROUP_ID, id: "42" }, "expected id to be a uuid string"],
      [{ type: "edit", group: GROUP_ID, id: ID }, 'missing field "text"'],
      [{ type: "react", group: GROUP_ID, id: ID, emoji: "👍" }, 'missing field "on"'],
      [
        { type: "react", group: GROUP_ID, id: ID, emoji: "👍", on: 1 },
        "expected on to be a boolean",
      ],
      [
        { type: "react", group: GROUP_ID, id: ID, emoji: "", on: true },
        `expected emoji to be a string of 1 to ${LIMITS.maxEmojiBytes} characters`,
      ],
      [
        { type: "send", group: GROUP_ID, text: "x", key: "k", replyTo: "m1" },
        "expected replyTo to be a uuid string",
      ],
    ];
    for (const [frame, message] of cases) {
      assert.deepEqual(decodeClientFrame(JSON.stringify(frame)), {
        ok: false,
        code: "invalid_frame",
        message,
      });
    }
  });
});
