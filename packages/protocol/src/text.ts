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
