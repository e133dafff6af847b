import type { Clock } from "@clofri/actors";
import type { Kysely } from "kysely";
import type { Database } from "../db/tables.ts";
import { hashToken, newToken } from "../tokens.ts";

export const MAGIC_LINK_TTL_MS = 15 * 60 * 1000;
/** How often expired links are deleted: they are useless past their 15 minutes either way. */
export const MAGIC_LINK_SWEEP_EVERY_MS = 10 * 60 * 1000;

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
async function deleteExpiredMagicLinks(db: Kysely<Database>, nowMs: number): Promise<number> {
  const result = await db
    .deleteFrom("magic_links")
    .where("expires_at", "<=", new Date(nowMs))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface MagicLinkSweeper {
  /** Stops the timer and waits for a sweep under way, so the database may close after it. */
  stop(): Promise<void>;
}

/**
 * Deletes expired links every MAGIC_LINK_SWEEP_EVERY_MS of `clock`, one sweep at a time, judging
 * expiry by `now` (the clock the links were dated by). A failed sweep is reported and the next
 * one runs as usual.
 */
export function sweepExpiredMagicLinks(
  db: Kysely<Database>,
  options: {
    clock: Clock;
    now: () => number;
    onSwept: (deleted: number) => void;
    onError: (error: unknown) => void;
  },
): MagicLinkSweeper {
  const { clock } = options;
  let timer: unknown;
  let sweeping: Promise<void> | undefined;
  let isStopped = false;
  const arm = () => {
    timer = clock.setTimeout(() => {
      sweeping = deleteExpiredMagicLinks(db, options.now())
        .then(options.onSwept, options.onError)
        .finally(() => {
          sweeping = undefined;
          if (!isStopped) arm();
        });
    }, MAGIC_LINK_SWEEP_EVERY_MS);
    clock.setKeepAlive?.(timer, false);
  };
  arm();
  return {
    async stop() {
      isStopped = true;
      clock.clearTimeout(timer);
      await sweeping;
    },
  };
}

/**
 * The page of the web app that the emailed link opens; the token stays in the fragment, and so
 * does `next`, the app page to continue to (checked by `appPagePath` before it gets here).
 */
export function magicLinkUrl(appOrigin: string, token: string, next?: string): string {
  const destination = next === undefined ? "" : `&next=${encodeURIComponent(next)}`;
  return `${appOrigin}/sign-in/verify#token=${token}${destination}`;
}
