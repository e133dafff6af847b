import { type Kysely, sql } from "kysely";
import type { Database, Group, GroupMember, MemberRole } from "./tables.ts";

export interface Membership {
  group: Group;
  member: GroupMember;
}

/** A member with what the API shows of them. */
export interface MemberRow extends GroupMember {
  display_name: string;
  avatar_url: string | null;
}

/**
 * The group and `userId`'s membership of it, or undefined when either is missing. With `lock`, the
 * group row stays locked until the transaction ends: membership changes of one group take turns.
 */
export async function findMembership(
  db: Kysely<Database>,
  groupId: string,
  userId: string,
  options: { lock?: boolean } = {},
): Promise<Membership | undefined> {
  const group = await findGroup(db, groupId, options);
  if (!group) return undefined;
  const member = await findMember(db, groupId, userId);
  return member ? { group, member } : undefined;
}

export async function findGroup(
  db: Kysely<Database>,
  groupId: string,
  options: { lock?: boolean } = {},
): Promise<Group | undefined> {
  let query = db.selectFrom("groups").selectAll().where("id", "=", groupId);
  if (options.lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function findMember(
  db: Kysely<Database>,
  groupId: string,
  userId: string,
): Promise<GroupMember | undefined> {
  return db
    .selectFrom("group_members")
    .selectAll()
    .where("group_id", "=", groupId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

/** The members of the given groups, longest-standing first. */
export async function listMembers(
  db: Kysely<Database>,
  groupIds: readonly string[],
): Promise<MemberRow[]> {
  if (groupIds.length === 0) return [];
  return db
    .selectFrom("group_members")
    .innerJoin("users", "users.id", "group_members.user_id")
    .selectAll("group_members")
    .select(["users.display_name", "users.avatar_url"])
    .where("group_members.group_id", "in", groupIds)
    .orderBy("group_members.joined_at")
    .orderBy("group_members.user_id")
    .execute();
}

export async function countMembers(db: Kysely<Database>, groupId: string): Promise<number> {
  const row = await db
    .selectFrom("group_members")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("group_id", "=", groupId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The groups `userId` is in, oldest first, each with their own membership. */
export async function listMemberships(db: Kysely<Database>, userId: string): Promise<Membership[]> {
  const rows = await db
    .selectFrom("groups")
    .innerJoin("group_members", "group_members.group_id", "groups.id")
    .selectAll("groups")
    .select([
      "group_members.role",
      "group_members.muted",
      "group_members.joined_at",
      "group_members.user_id",
    ])
    .where("group_members.user_id", "=", userId)
    .orderBy("groups.created_at")
    .orderBy("groups.id")
    .execute();
  return rows.map(({ role, muted, joined_at, user_id, ...group }) => ({
    group,
    member: { group_id: group.id, user_id, role, muted, joined_at },
  }));
}

export async function insertGroup(
  db: Kysely<Database>,
  values: { name: string; creatorId: string },
): Promise<Group> {
  return db
    .insertInto("groups")
    .values({ name: values.name, kind: "group", creator_id: values.creatorId })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertMembers(
  db: Kysely<Database>,
  groupId: string,
  members: ReadonlyArray<{ userId: string; role: MemberRole }>,
): Promise<void> {
  if (members.length === 0) return;
  await db
    .insertInto("group_members")
    .values(members.map((m) => ({ group_id: groupId, user_id: m.userId, role: m.role })))
    .execute();
}

export async function deleteMember(
  db: Kysely<Database>,
  groupId: string,
  userId: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom("group_members")
    .where("group_id", "=", groupId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Notes that the group's creator removed `userId` now (the latest removal wins). */
export async function recordKick(
  db: Kysely<Database>,
  groupId: string,
  userId: string,
): Promise<void> {
  // The statement's moment, under the group's lock: see insertInvite.
  const now = sql<Date>`clock_timestamp()`;
  await db
    .insertInto("group_kicks")
    .values({ group_id: groupId, user_id: userId, kicked_at: now })
    .onConflict((conflict) =>
      conflict.columns(["group_id", "user_id"]).doUpdateSet({ kicked_at: now }),
    )
    .execute();
}

export async function setMuted(
  db: Kysely<Database>,
  groupId: string,
  userId: string,
  isMuted: boolean,
): Promise<void> {
  await db
    .updateTable("group_members")
    .set({ muted: isMuted })
    .where("group_id", "=", groupId)
    .where("user_id", "=", userId)
    .execute();
}

export async function renameGroup(
  db: Kysely<Database>,
  groupId: string,
  name: string,
): Promise<void> {
  await db.updateTable("groups").set({ name }).where("id", "=", groupId).execute();
}

export async function deleteGroup(db: Kysely<Database>, groupId: string): Promise<void> {
  await db.deleteFrom("groups").where("id", "=", groupId).execute();
}

/**
 * Makes `userId`, already a member, the creator; the caller has removed the previous one. The new
 * creator is unmuted: nobody else could ever lift a creator's mute.
 */
export async function makeCreator(
  db: Kysely<Database>,
  groupId: string,
  userId: string,
): Promise<void> {
  await db
    .updateTable("group_members")
    .set({ role: "creator", muted: false })
    .where("group_id", "=", groupId)
    .where("user_id", "=", userId)
    .execute();
  await db.updateTable("groups").set({ creator_id: userId }).where("id", "=", groupId).execute();
}

/** Direct chats name their pair in order, which makes them unique per pair. */
function directPair(a: string, b: string): { low: string; high: string } {
  return a < b ? { low: a, high: b } : { low: b, high: a };
}

export async function findDirectGroup(
  db: Kysely<Database>,
  a: string,
  b: string,
): Promise<Group | undefined> {
  const { low, high } = directPair(a, b);
  return db
    .selectFrom("groups")
    .selectAll()
    .where("direct_low_id", "=", low)
    .where("direct_high_id", "=", high)
    .executeTakeFirst();
}

/** The pair's direct group if this call created it; undefined when it existed already. */
export async function insertDirectGroup(
  db: Kysely<Database>,
  creatorId: string,
  otherId: string,
): Promise<Group | undefined> {
  const { low, high } = directPair(creatorId, otherId);
  return db
    .insertInto("groups")
    .values({
      name: "",
      kind: "direct",
      creator_id: creatorId,
      direct_low_id: low,
      direct_high_id: high,
    })
    .onConflict((conflict) => conflict.columns(["direct_low_id", "direct_high_id"]).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the pair's direct group, if any, returning its id. */
export async function deleteDirectGroup(
  db: Kysely<Database>,
  a: string,
  b: string,
): Promise<string | undefined> {
  const { low, high } = directPair(a, b);
  const row = await db
    .deleteFrom("groups")
    .where("direct_low_id", "=", low)
    .where("direct_high_id", "=", high)
    .returning("id")
    .executeTakeFirst();
  return row?.id;
}
