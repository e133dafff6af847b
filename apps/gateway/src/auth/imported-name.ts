import { MAX_NAME_LENGTH, normalizeName } from "@clofri/protocol";

// Names a person did not type into Clofri: an OAuth profile's, or an email's local part at the
// first sign-in. They cannot be refused, so they are cleaned into the name rule instead.

const LINE_OR_CONTROL = /[\p{Cc}\u2028\u2029]/gu;
const FALLBACK_NAME = "friend";

/** The name under `normalizeName`, controls turned into spaces and cut to 64 code points. */
export function importedName(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const spaced = raw.replace(LINE_OR_CONTROL, " ").normalize("NFC");
  const result = normalizeName(Array.from(spaced).slice(0, MAX_NAME_LENGTH).join(""));
  return result.ok ? result.name : undefined;
}

/** A new account's first name: the email's local part, or "friend" when that shows nothing. */
export function nameFromEmail(email: string): string {
  return importedName(email.split("@")[0]) ?? FALLBACK_NAME;
}
