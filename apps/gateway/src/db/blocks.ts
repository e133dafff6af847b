import type { Kysely } from "kysely";
import type { Database } from "./tables.ts";

/** One person I blocked, as my list shows them. */
export interface BlockedRow {
  id: string;
  display_name: string;
  avatar_url: string | null;
  created_at: Date;
}

/** Whether `blockerId` blocked `blockedId`. */
export async function hasBlocked(
  db: Kysely<Database>,
  blockerId: string,
  blockedId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom("blocks")
    .select("blocker_id")
    .where("blocker_id", "=", blockerId)
    .where("blocked_id", "=", blockedId)
    .executeTakeFirst();
  return row !== undefined;
}

/** True when the block is new, false when it was there already. */
export async function insertBlock(
  db: Kysely<Database>,
  blockerId: string,
  blockedId: string,
): Promise<boolean> {
  const row = await db
    .insertInto("blocks")
    .values({ blocker_id: blockerId, blocked_id: blockedId })
    .onConflict((conflict) => conflict.columns(["blocker_id", "blocked_id"]).doNothing())
    .returning("blocker_id")
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteBlock(
  db: Kysely<Database>,
  blockerId: string,
  blockedId: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom("blocks")
    .where("blocker_id", "=", blockerId)
    .where("blocked_id", "=", blockedId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The people `blockerId` blocked, the latest first. */
export async function listBlocked(db: Kysely<Database>, blockerId: string): Promise<BlockedRow[]> {
  return db
    .selectFrom("blocks")
    .innerJoin("users", "users.id", "blocks.blocked_id")
    .select(["users.id", "users.display_name", "users.avatar_url", "blocks.created_at"])
    .where("blocks.blocker_id", "=", blockerId)
    .orderBy("blocks.created_at", "desc")
    .orderBy("users.id")
    .execute();
}

/** The pending request between the two, either way, deleted; undefined when there was none. */
export async function deletePendingBetween(
  db: Kysely<Database>,
  a: string,
  b: string,
): Promise<{ id: string; requesterId: string } | undefined> {
  const row = await db
    .deleteFrom("friendships")
    .where("status", "=", "pending")
    .where((eb) =>
      eb.or([
        eb.and([eb("requester_id", "=", a), eb("addressee_id", "=", b)]),
        eb.and([eb("requester_id", "=", b), eb("addressee_id", "=", a)]),
      ]),
    )
    .returning(["id", "requester_id"])
    .executeTakeFirst();
  return row && { id: row.id, requesterId: row.requester_id };
}
