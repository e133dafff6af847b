import { LIMITS } from "./codes.ts";

export type NormalizeTextResult =
  | { ok: true; text: string }
  | { ok: false; code: "text_invalid"; message: string };

// CRLF and lone CR are line breaks other clients may send; they become "\n" before the checks.
const LINE_BREAKS = /\r\n?/g;
// Unicode control characters (Cc) other than "\n", and unpaired UTF-16 surrogates, which a JSON
// "\ud800" escape can produce and which cannot be encoded as UTF-8.
const FORBIDDEN = /(?!\n)\p{Cc}|\p{Cs}/u;

/**
 * Applies the message text rules: CRLF/CR → LF, Unicode NFC, trim, then 1 to `maxLength`
 * code points with no control character other than "\n" (so "\t" is rejected).
 */
export function normalizeText(
  raw: string,
  maxLength: number = LIMITS.maxTextLength,
): NormalizeTextResult {
  // Most chat is printable ASCII: no line break to fix, already NFC, no control character.
  // The same rules then, without the regexes and ICU.
  const isAscii = isPrintableAscii(raw);
  const text = isAscii ? raw.trim() : raw.replace(LINE_BREAKS, "\n").normalize("NFC").trim();
  if (text.length === 0) return invalid("text is empty");
  const forbidden = isAscii ? null : FORBIDDEN.exec(text);
  if (forbidden) {
    const codePoint = forbidden[0].codePointAt(0) ?? 0;
    const what =
      codePoint >= 0xd800 && codePoint <= 0xdfff ? "an unpaired surrogate" : "a control character";
    return invalid(`text contains ${what} (${formatCodePoint(codePoint)})`);
  }
  if (text.length > maxLength && textLength(text) > maxLength) {
    return invalid(`text is longer than ${maxLength} characters`);
  }
  return { ok: true, text };
}

/**
 * The length the text limit counts: Unicode code points, so "😀" is 1 although it takes two
 * UTF-16 code units. A sequence joined by U+200D counts each of its code points.
 */
export function textLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        i++;
      }
    }
  }
  return length;
}

/** Display names and group names: at most this many characters (code points). */
export const MAX_NAME_LENGTH = 64;

export type NormalizeNameResult = { ok: true; name: string } | { ok: false; message: string };

// Embedding, override and isolate controls and the implicit marks (LRM, RLM, ALM). Names are shown
// isolated, so inside one they can only reorder the name itself: removed rather than refused, so a
// name from an OAuth profile never fails on them.
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// Control characters, unpaired surrogates, and the line and paragraph separators: a name is one line.
const NAME_FORBIDDEN = /\p{Cc}|\p{Cs}|[\u2028\u2029]/u;
// Nothing a reader could see or tell apart: spaces, zero-width and other format characters,
// default-ignorables (variation selectors, Hangul fillers), marks with no base, the braille blank.
const INVISIBLE_ONLY = /^[\s\p{Cf}\p{Default_Ignorable_Code_Point}\p{M}\u2800]*$/u;
const INVISIBLE_EDGES = /^[\s\u200b-\u200d\u2060]+|[\s\u200b-\u200d\u2060]+$/g;

/**
 * The rule for display names and group names, on the server and in the browser: NFC, bidi
 * controls removed, spaces and zero-width characters trimmed from the ends; then refused when
 * empty, longer than `maxLength` code points, holding a control character or line separator, or
 * made only of invisible characters. Messages read after a field name ("displayName: …").
 */
export function normalizeName(
  raw: string,
  maxLength: number = MAX_NAME_LENGTH,
): NormalizeNameResult {
  const name = raw.normalize("NFC").replace(BIDI_CONTROLS, "").replace(INVISIBLE_EDGES, "");
  const lengthRule = `expected 1 to ${maxLength} characters`;
  const visibleRule = "expected at least one visible character";
  if (name === "") return { ok: false, message: raw.trim() === "" ? lengthRule : visibleRule };
  if (NAME_FORBIDDEN.test(name)) return { ok: false, message: "expected no control characters" };
  if (INVISIBLE_ONLY.test(name)) return { ok: false, message: visibleRule };
  if (name.length > maxLength && textLength(name) > maxLength) {
    return { ok: false, message: lengthRule };
  }
  return { ok: true, name };
}

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x20 || unit > 0x7e) return false;
  }
  return true;
}

function invalid(message: string): NormalizeTextResult {
  return { ok: false, code: "text_invalid", message };
}

function formatCodePoint(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** A message's text on one line, cut to `maxLength` code units with an ellipsis (a reply's quote). */
export function excerpt(text: string, maxLength: number = LIMITS.maxExcerptLength): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
// A pictograph (with its modifiers and joiners), a flag (two regional indicators) or a keycap.
const EMOJI = /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3)/u;
const NOT_IN_EMOJI = /[\s\p{Cc}\p{L}]/u;

/**
 * A reaction's rule: exactly one grapheme, at most `LIMITS.maxEmojiBytes` bytes of UTF-8, that
 * is an emoji (a pictograph, a flag or a keycap, with any modifiers), and no letter or space.
 */
export function isOneEmoji(text: string): boolean {
  if (text.length === 0 || utf8Length(text) > LIMITS.maxEmojiBytes) return false;
  const segments = graphemes.segment(text)[Symbol.iterator]();
  const first = segments.next();
  if (first.done === true || first.value.segment !== text) return false;
  return EMOJI.test(text) && !NOT_IN_EMOJI.test(text);
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? 0;
    bytes += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
  }
  return bytes;
}
