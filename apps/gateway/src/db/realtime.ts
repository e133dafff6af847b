import { type Kysely, sql } from "kysely";
import { listFriends } from "./friends.ts";
import type { Database, GroupKind, MemberRole, User } from "./tables.ts";
import { findUserById } from "./users.ts";

// What the WebSocket layer reads when a user connects, and the last-seen times it writes back.

/** One of the user's groups as their `hello` shows it. */
export interface RealtimeGroupRow {
  id: string;
  /** A direct chat is named after the other person. */
  name: string;
  kind: GroupKind;
  role: MemberRole;
  muted: boolean;
}

export interface RealtimeUserRows {
  user: User;
  /** Friends in display-name order, each with their stored `last_seen_at`. */
  friends: User[];
  /** Groups oldest first. */
  groups: RealtimeGroupRow[];
}

/** Everything a connection needs about its user; undefined when the user no longer exists. */
export async function loadRealtimeUser(
  db: Kysely<Database>,
  userId: string,
): Promise<RealtimeUserRows | undefined> {
  const user = await findUserById(db, userId);
  if (!user) return undefined;
  const [friends, groups] = await Promise.all([listFriends(db, userId), listGroupsOf(db, userId)]);
  return { user, friends, groups };
}

async function listGroupsOf(db: Kysely<Database>, userId: string): Promise<RealtimeGroupRow[]> {
  const rows = await db
    .selectFrom("group_members as me")
    .innerJoin("groups", "groups.id", "me.group_id")
    // A direct chat has exactly one other member; a regular group matches no row here.
    .leftJoin("group_members as other", (join) =>
      join
        .onRef("other.group_id", "=", "groups.id")
        .onRef("other.user_id", "<>", "me.user_id")
        .on("groups.kind", "=", "direct"),
    )
    .leftJoin("users as other_user", "other_user.id", "other.user_id")
    .select([
      "groups.id",
      "groups.name",
      "groups.kind",
      "me.role",
      "me.muted",
      "other_user.display_name as other_name",
    ])
    .where("me.user_id", "=", userId)
    .orderBy("groups.created_at")
    .orderBy("groups.id")
    .execute();
  return rows.map(({ other_name, ...group }) => ({
    ...group,
    name: group.kind === "direct" && other_name !== null ? other_name : group.name,
  }));
}

export interface LastSeen {
  userId: string;
  lastSeenMs: number;
}

const LAST_SEEN_CHUNK = 1_000;

/** Writes many users' `last_seen_at` in a few statements; unknown (deleted) users are skipped. */
export async function writeLastSeen(
  db: Kysely<Database>,
  entries: readonly LastSeen[],
): Promise<void> {
  for (let start = 0; start < entries.length; start += LAST_SEEN_CHUNK) {
    const chunk = entries.slice(start, start + LAST_SEEN_CHUNK);
    const values = sql.join(
      chunk.map(
        (entry) =>
          sql`(${entry.userId}::uuid, ${new Date(entry.lastSeenMs).toISOString()}::timestamptz)`,
      ),
    );
    await sql`
      update users set last_seen_at = seen.ts
      from (values ${values}) as seen(id, ts)
      where users.id = seen.id`.execute(db);
  }
}
