import { type Kysely, sql } from "kysely";
import type { Database, GroupKind, MemberRole, PresenceMode } from "./tables.ts";

// What the WebSocket layer reads when users connect, and the last-seen times it writes back.

/** A user as a connection shows them, with their stored `last_seen_at`. */
export interface RealtimeProfileRow {
  id: string;
  displayName: string;
  avatarUrl: string | null;
  lastSeenMs: number | null;
}

/** One of the user's groups as their `hello` shows it. */
interface RealtimeGroupRow {
  id: string;
  /** A direct chat is named after the other person. */
  name: string;
  kind: GroupKind;
  role: MemberRole;
  muted: boolean;
}

export interface RealtimeUserRows {
  user: RealtimeProfileRow;
  presenceMode: PresenceMode;
  /** Friends in display-name order. */
  friends: RealtimeProfileRow[];
  /** Groups oldest first. */
  groups: RealtimeGroupRow[];
}

// The aggregates order as the per-user queries did (display name, then id; groups oldest first),
// and the epoch is taken in SQL so both engines hand back the same milliseconds.
const FRIENDS_OF_U = sql`(select coalesce(json_agg(json_build_object(
    'id', f.id, 'displayName', f.display_name, 'avatarUrl', f.avatar_url,
    'lastSeenMs', floor(extract(epoch from f.last_seen_at) * 1000)
  ) order by f.display_name, f.id), '[]'::json)
  from (
    select addressee_id as friend_id from friendships
      where requester_id = u.id and status = 'accepted'
    union all
    select requester_id from friendships
      where addressee_id = u.id and status = 'accepted'
  ) as pair
  join users f on f.id = pair.friend_id)`;

const GROUPS_OF_U = sql`(select coalesce(json_agg(json_build_object(
    'id', g.id,
    -- A direct chat has exactly one other member. A lookup by key rather than a join:
    -- on tables not analyzed yet a join here scanned every membership once per user.
    'name', case when g.kind = 'direct' then coalesce(
      (select other_user.display_name from group_members other
        join users other_user on other_user.id = other.user_id
        where other.group_id = g.id and other.user_id <> me.user_id limit 1),
      g.name) else g.name end,
    'kind', g.kind, 'role', me.role, 'muted', me.muted
  ) order by g.created_at, g.id), '[]'::json)
  from group_members me
  join groups g on g.id = me.group_id
  where me.user_id = u.id)`;

/**
 * Everything connections need about these users, in one statement (one round trip however many
 * users connect at once); a user who no longer exists is absent from the result.
 */
export async function loadRealtimeUsers(
  db: Kysely<Database>,
  userIds: readonly string[],
): Promise<Map<string, RealtimeUserRows>> {
  const found = new Map<string, RealtimeUserRows>();
  if (userIds.length === 0) return found;
  const ids = sql.join(userIds.map((id) => sql`${id}::uuid`));
  const { rows } = await sql<{
    id: string;
    display_name: string;
    avatar_url: string | null;
    last_seen_ms: number | null;
    presence_mode: PresenceMode;
    friends: RealtimeProfileRow[];
    groups: RealtimeGroupRow[];
  }>`
    select u.id, u.display_name, u.avatar_url, u.presence_mode,
      floor(extract(epoch from u.last_seen_at) * 1000)::float8 as last_seen_ms,
      ${FRIENDS_OF_U} as friends,
      ${GROUPS_OF_U} as groups
    from users u
    where u.id in (${ids})`.execute(db);
  for (const row of rows) {
    found.set(row.id, {
      user: {
        id: row.id,
        displayName: row.display_name,
        avatarUrl: row.avatar_url,
        lastSeenMs: row.last_seen_ms,
      },
      presenceMode: row.presence_mode,
      friends: row.friends,
      groups: row.groups,
    });
  }
  return found;
}

export interface LastSeen {
  userId: string;
  lastSeenMs: number;
}

const LAST_SEEN_CHUNK = 1_000;

/**
 * Writes many users' `last_seen_at` in a few statements; unknown (deleted) users are skipped, and
 * so are the ones who appear offline: their time stays the one of the switch.
 */
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
      where users.id = seen.id and users.presence_mode <> 'offline'`.execute(db);
  }
}
