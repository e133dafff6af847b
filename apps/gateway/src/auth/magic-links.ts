import type { Kysely } from "kysely";
import type { Database } from "../db/tables.ts";
import { hashToken, newToken } from "./tokens.ts";

export const MAGIC_LINK_TTL_MS = 15 * 60 * 1000;

/** Stores a new single-use link for this email (hashed) and returns the token to send. */
export async function createMagicLink(
  db: Kysely<Database>,
  email: string,
  nowMs: number,
): Promise<string> {
  const token = newToken();
  await db
    .insertInto("magic_links")
    .values({
      token_hash: hashToken(token),
      email,
      created_at: new Date(nowMs),
      expires_at: new Date(nowMs + MAGIC_LINK_TTL_MS),
    })
    .execute();
  return token;
}

/**
 * Marks the link used and returns its email, in one statement: of any number of concurrent
 * redemptions exactly one gets the row. Undefined for an unknown, used or expired link.
 */
export async function consumeMagicLink(
  db: Kysely<Database>,
  token: string,
  nowMs: number,
): Promise<string | undefined> {
  const row = await db
    .updateTable("magic_links")
    .set({ used_at: new Date(nowMs) })
    .where("token_hash", "=", hashToken(token))
    .where("used_at", "is", null)
    .where("expires_at", ">", new Date(nowMs))
    .returning("email")
    .executeTakeFirst();
  return row?.email;
}

/** Housekeeping: links past their expiry are useless either way. */
export async function deleteExpiredMagicLinks(
  db: Kysely<Database>,
  nowMs: number,
): Promise<number> {
  const result = await db
    .deleteFrom("magic_links")
    .where("expires_at", "<=", new Date(nowMs))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The page of the web app that the emailed link opens; the token stays in the fragment. */
export function magicLinkUrl(appOrigin: string, token: string): string {
  return `${appOrigin}/sign-in/verify#token=${token}`;
}
