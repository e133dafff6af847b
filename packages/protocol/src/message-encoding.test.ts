import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeServerFrame, encode, encodeMessage, encodeSendAck } from "./codec.ts";
import { sampleMessage } from "./testing/sample-frames.ts";
import { normalizeText } from "./text.ts";

// Strings a client may put in a message, a key, a display name or a ref.
const AWKWARD = [
  "plain",
  'quote " and backslash \\',
  "line\nbreak and tab\t",
  "\u2028\u2029 separators",
  "emoji 😀 and 👩‍👩‍👧",
  "lone \ud800 surrogate",
  "</script><!--",
  "__proto__",
  "",
];

describe("encodeMessage", () => {
  test("writes exactly what encode writes for a message frame", () => {
    for (const text of AWKWARD) {
      for (const displayName of ["Sam", ...AWKWARD]) {
        const message = { ...sampleMessage, text, displayName, key: text || "k" };
        assert.equal(encodeMessage(message), encode({ type: "message", ...message }));
      }
    }
  });

  test("writes a frame clients decode to the same message", () => {
    const decoded = decodeServerFrame(encodeMessage(sampleMessage));
    assert.deepEqual(decoded, { ok: true, frame: { type: "message", ...sampleMessage } });
  });
});

describe("encodeSendAck", () => {
  test("writes exactly what encode writes for a send's ack", () => {
    for (const ref of ["1", ...AWKWARD]) {
      const { id, ts } = sampleMessage;
      assert.equal(encodeSendAck(ref, id, ts), encode({ type: "ack", ref, id, ts }));
    }
  });
});

describe("normalizeText on printable ASCII", () => {
  // The rules as they stand for any text, to hold the ASCII shortcut to them.
  function byTheRules(raw: string, maxLength: number) {
    const text = raw.replace(/\r\n?/g, "\n").normalize("NFC").trim();
    if (text.length === 0) return { ok: false, code: "text_invalid", message: "text is empty" };
    if (/(?!\n)\p{Cc}|\p{Cs}/u.test(text)) return "refused for a character";
    if ([...text].length > maxLength) {
      const message = `text is longer than ${maxLength} characters`;
      return { ok: false, code: "text_invalid", message };
    }
    return { ok: true, text };
  }

  test("gives what the full rules give", () => {
    const inputs = ["hi", "  hi  ", " ", "", "a  b", "~!@#$%^&*()_+`-={}[]|:;'<>?,./\"\\"];
    for (let length = 0; length <= 12; length++) inputs.push("x".repeat(length).padStart(14));
    for (const raw of inputs) {
      for (const maxLength of [1, 5, 10, 2_000]) {
        assert.deepEqual(normalizeText(raw, maxLength), byTheRules(raw, maxLength), raw);
      }
    }
  });

  test("still refuses DEL and other controls next to ASCII", () => {
    for (const raw of ["a\u007fb", "a\u0000b", "a\tb", "\u0085x"]) {
      assert.equal(normalizeText(raw).ok, false, JSON.stringify(raw));
    }
    assert.deepEqual(normalizeText("a\r\nb"), { ok: true, text: "a\nb" });
  });
});
