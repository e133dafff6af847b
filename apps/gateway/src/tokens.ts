import { createHash, timingSafeEqual } from "node:crypto";
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase64urlNoPadding, encodeHexLowerCase } from "@oslojs/encoding";

// Secrets and codes, for anyone who mints or checks one (auth, db, social, the edges): a leaf that
// imports nothing of the gateway.

/** How long a session lasts after its last renewal; its cookie lives as long. */
export const SESSION_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/** 256 bits from the CSPRNG, URL-safe: session tokens and magic-link tokens. */
export function newToken(): string {
  return encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(32)));
}

/** What the database stores instead of a token. */
export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

// Crockford's base32: no I, L, O or U, so a code read aloud or typed by hand is hard to get wrong.
const CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A random code from the CSPRNG over an unambiguous 32-letter alphabet (5 bits a character). */
export function newCode(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let code = "";
  for (const byte of bytes) code += CODE_ALPHABET[byte & 31];
  return code;
}

/**
 * Whether a presented secret (admin or metrics token) is the expected one, in time independent
 * of where they differ: both sides are hashed first, so the comparison is of 32 equal bytes.
 */
export function isSameSecret(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
