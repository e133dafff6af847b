import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LIMITS } from "./codes.ts";
import { normalizeName, normalizeText, textLength } from "./text.ts";

function accepted(raw: string): string {
  const result = normalizeText(raw);
  assert.equal(result.ok, true, `expected ${JSON.stringify(raw)} to be accepted`);
  return result.ok ? result.text : assert.fail();
}

function rejected(raw: string): string {
  const result = normalizeText(raw);
  assert.equal(result.ok, false, `expected ${JSON.stringify(raw)} to be rejected`);
  if (result.ok) return assert.fail();
  assert.equal(result.code, "text_invalid");
  return result.message;
}

describe("normalizeText", () => {
  test("rejects empty and whitespace-only text", () => {
    assert.equal(rejected(""), "text is empty");
    assert.equal(rejected("   "), "text is empty");
    assert.equal(rejected(" \n\t\r\n \u00a0\u3000"), "text is empty");
  });

  test("trims the ends and keeps inner spacing and newlines", () => {
    assert.equal(accepted("  hi there \n"), "hi there");
    assert.equal(accepted("line 1\nline 2\n\nline 4"), "line 1\nline 2\n\nline 4");
    assert.equal(accepted("\thi\t"), "hi");
  });

  test("turns CRLF and lone CR into LF", () => {
    assert.equal(accepted("a\r\nb\rc\n\rd"), "a\nb\nc\n\nd");
  });

  test("rejects control characters other than newline, tab included", () => {
    for (const [char, name] of [
      ["\u0000", "U+0000"],
      ["\u0007", "U+0007"],
      ["\t", "U+0009"],
      ["\u000b", "U+000B"],
      ["\u001b", "U+001B"],
      ["\u007f", "U+007F"],
      ["\u0085", "U+0085"],
      ["\u009f", "U+009F"],
    ] as const) {
      assert.equal(rejected(`a${char}b`), `text contains a control character (${name})`);
    }
  });

  test("rejects unpaired surrogates, which cannot be encoded as UTF-8", () => {
    assert.equal(rejected("a\ud800b"), "text contains an unpaired surrogate (U+D800)");
    assert.equal(rejected("a\udc00"), "text contains an unpaired surrogate (U+DC00)");
  });

  test("keeps format characters such as the zero-width joiner and RTL marks", () => {
    assert.equal(accepted("👩\u200d💻 \u200fשלום"), "👩\u200d💻 \u200fשלום");
  });

  test("keeps bidi overrides and isolates: clients show each message isolated", () => {
    assert.equal(
      accepted("quote: \u202eabc\u202c and \u2067שלום\u2069"),
      "quote: \u202eabc\u202c and \u2067שלום\u2069",
    );
  });

  test("applies Unicode NFC", () => {
    assert.equal(accepted("e\u0301"), "\u00e9");
    assert.equal(accepted("\u1100\u1161"), "\uac00");
    assert.equal(accepted("\u212b"), "\u00c5");
  });

  test("allows 2,000 characters and rejects 2,001", () => {
    assert.equal(accepted("a".repeat(LIMITS.maxTextLength)).length, 2_000);
    assert.equal(rejected("a".repeat(2_001)), "text is longer than 2000 characters");
    assert.equal(accepted(` ${"a".repeat(2_000)}\n`).length, 2_000);
  });

  test("counts code points, so an emoji counts once", () => {
    const emoji = "😀";
    assert.equal(emoji.length, 2);
    assert.equal(accepted(emoji.repeat(2_000)), emoji.repeat(2_000));
    assert.equal(rejected(emoji.repeat(2_001)), "text is longer than 2000 characters");
    assert.equal(accepted(`${emoji.repeat(1_999)}a`).length, 4_000 - 1);
  });

  test("measures after NFC, so composed text is not penalised", () => {
    assert.equal(accepted("e\u0301".repeat(2_000)), "\u00e9".repeat(2_000));
  });

  test("takes another limit from the gateway's configuration", () => {
    assert.equal(normalizeText("abcd", 3).ok, false);
    assert.equal(normalizeText("abc", 3).ok, true);
  });
});

describe("textLength", () => {
  test("counts code points", () => {
    assert.equal(textLength(""), 0);
    assert.equal(textLength("abc"), 3);
    assert.equal(textLength("😀"), 1);
    assert.equal(textLength("a😀b😀"), 4);
    // A ZWJ sequence is several code points: man, ZWJ, woman, ZWJ, girl.
    assert.equal(textLength("👨\u200d👩\u200d👧"), 5);
    assert.equal(textLength("\ud800"), 1);
    assert.equal(textLength("\ud800\ud800\udc00"), 2);
  });
});

function named(raw: string): string {
  const result = normalizeName(raw);
  assert.equal(result.ok, true, `expected the name ${JSON.stringify(raw)} to be accepted`);
  return result.ok ? result.name : assert.fail();
}

function refusedName(raw: string): string {
  const result = normalizeName(raw);
  assert.equal(result.ok, false, `expected the name ${JSON.stringify(raw)} to be refused`);
  return result.ok ? assert.fail() : result.message;
}

describe("normalizeName", () => {
  test("removes every bidi embedding, override, isolate and mark", () => {
    const controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c";
    assert.equal(named("\u202eevil"), "evil");
    assert.equal(named(`a${controls}b`), "ab");
    assert.equal(named("\u2067سام\u2069 (Sam)"), "سام (Sam)");
  });

  test("refuses names that are empty or show nothing", () => {
    for (const raw of ["", "   ", " \u3000\n"]) {
      assert.equal(refusedName(raw), "expected 1 to 64 characters", JSON.stringify(raw));
    }
    for (const raw of [
      "\u202e",
      "\u200f\u200e \u3000",
      "\u200b\u200c\u200d",
      "\u2060\ufeff\u200b",
      "\u00ad",
      "\u0301\u0308",
      "\u3164",
      "\u115f\u1160",
      "\ufe0f",
      "\u2800\u2800",
      "\u200b \u0301 \u200d",
    ]) {
      assert.equal(
        refusedName(raw),
        "expected at least one visible character",
        JSON.stringify(raw),
      );
    }
  });

  test("keeps what scripts and emoji need inside a name", () => {
    assert.equal(named("Ana\u0301"), "Aná");
    assert.equal(named("👩\u200d💻 Kim"), "👩\u200d💻 Kim");
    assert.equal(named("❤\ufe0f"), "❤\ufe0f");
    assert.equal(named("می\u200cخواهم"), "می\u200cخواهم");
    assert.equal(named("שלום"), "שלום");
  });

  test("trims spaces and zero-width characters from the ends only", () => {
    assert.equal(named("  \u200bSam \u200b"), "Sam");
    assert.equal(named("\ufeffSam\u2060"), "Sam");
    assert.equal(named("Sam  Lee"), "Sam  Lee");
  });

  test("refuses control characters and line separators", () => {
    for (const raw of ["a\nb", "a\tb", "a\u0000b", "a\u0085b", "a\u2028b", "a\u2029b", "a\ud800"]) {
      assert.equal(refusedName(raw), "expected no control characters", JSON.stringify(raw));
    }
  });

  test("counts at most 64 code points after NFC", () => {
    assert.equal(named("a".repeat(64)), "a".repeat(64));
    assert.equal(refusedName("a".repeat(65)), "expected 1 to 64 characters");
    assert.equal(named("😀".repeat(64)), "😀".repeat(64));
    assert.equal(named("e\u0301".repeat(64)), "\u00e9".repeat(64));
    assert.equal(named(`\u202e${"a".repeat(64)}`), "a".repeat(64));
  });
});
