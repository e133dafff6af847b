import { type Kysely, sql } from "kysely";
import type { Database, GroupInvite } from "./tables.ts";

/** The new invite, or undefined when its code is taken. */
export async function insertInvite(
  db: Kysely<Database>,
  values: { code: string; groupId: string; inviterId: string; expiresAt: Date; maxUses: number },
): Promise<GroupInvite | undefined> {
  return (
    db
      .insertInto("group_invites")
      .values({
        code: values.code,
        group_id: values.groupId,
        inviter_id: values.inviterId,
        expires_at: values.expiresAt,
        max_uses: values.maxUses,
        // The moment of this statement, not of the transaction's start: the caller holds the
        // group's lock, so it orders exactly against a kick (group_kicks.kicked_at, likewise).
        created_at: sql<Date>`clock_timestamp()`,
      })
      // A code already taken (astronomically unlikely): the caller draws another.
      .onConflict((conflict) => conflict.column("code").doNothing())
      .returningAll()
      .executeTakeFirst()
  );
}

export async function findInvite(
  db: Kysely<Database>,
  code: string,
): Promise<GroupInvite | undefined> {
  return db.selectFrom("group_invites").selectAll().where("code", "=", code).executeTakeFirst();
}

/** Usable now: not revoked, not expired, not used up. */
export function isInviteLive(invite: GroupInvite, now: Date): boolean {
  return (
    invite.revoked_at === null &&
    invite.expires_at.getTime() > now.getTime() &&
    invite.uses < invite.max_uses
  );
}

/**
 * Whether the invite was created before `userId` was last removed from its group: such an invite
 * never lets them back in. Compared in SQL, at the database's microseconds.
 */
export async function predatesKickOf(
  db: Kysely<Database>,
  code: string,
  userId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom("group_invites")
    .innerJoin("group_kicks", "group_kicks.group_id", "group_invites.group_id")
    .select("group_kicks.kicked_at")
    .where("group_invites.code", "=", code)
    .where("group_kicks.user_id", "=", userId)
    .whereRef("group_invites.created_at", "<=", "group_kicks.kicked_at")
    .executeTakeFirst();
  return row !== undefined;
}

/** A group's usable invites, newest first. */
export async function listLiveInvites(
  db: Kysely<Database>,
  groupId: string,
  now: Date,
): Promise<GroupInvite[]> {
  return db
    .selectFrom("group_invites")
    .selectAll()
    .where("group_id", "=", groupId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .where((eb) => eb("uses", "<", eb.ref("max_uses")))
    .orderBy("created_at", "desc")
    .orderBy("code")
    .execute();
}

/** Revokes one of the group's invites; false when the group has no such invite not yet revoked. */
export async function revokeInvite(
  db: Kysely<Database>,
  groupId: string,
  code: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable("group_invites")
    .set({ revoked_at: now })
    .where("code", "=", code)
    .where("group_id", "=", groupId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Takes one use of a live invite in a single statement, so concurrent joins can never take more
 * uses than it has: Postgres re-checks the conditions on the row after waiting for its lock.
 */
export async function consumeInvite(
  db: Kysely<Database>,
  code: string,
  now: Date,
): Promise<GroupInvite | undefined> {
  return db
    .updateTable("group_invites")
    .set((eb) => ({ uses: eb("uses", "+", 1) }))
    .where("code", "=", code)
    .where((eb) => eb("uses", "<", eb.ref("max_uses")))
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .returningAll()
    .executeTakeFirst();
}
