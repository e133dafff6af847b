import type { Generated, GeneratedAlways, Insertable, Selectable } from "kysely";

// Row types of the schema in /migrations, snake_case as in SQL (camelCase is for responses). INT8
// reads as a JS number on both engines; past MAX_SAFE_INTEGER the query fails (int8.ts).

/** How a person appears to others: as they are, busy, or offline (appear offline). */
export type PresenceMode = "auto" | "busy" | "offline";
type FriendshipStatus = "pending" | "accepted";
export type GroupKind = "group" | "direct";
export type MemberRole = "creator" | "member";

type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

interface UsersTable {
  id: Generated<string>;
  /** citext: unique and compared without regard to case. */
  email: string;
  display_name: string;
  avatar_url: string | null;
  friend_code: string;
  created_at: Generated<Date>;
  last_seen_at: Date | null;
  presence_mode: Generated<PresenceMode>;
}

interface OAuthAccountsTable {
  provider: string;
  provider_user_id: string;
  user_id: string;
  created_at: Generated<Date>;
}

interface SessionsTable {
  /** SHA-256 of the session token; the token itself is never stored. */
  id: string;
  user_id: string;
  created_at: Generated<Date>;
  expires_at: Date;
  user_agent: string | null;
}

interface MagicLinksTable {
  token_hash: string;
  email: string;
  created_at: Generated<Date>;
  expires_at: Date;
  used_at: Date | null;
}

/** One row per unordered pair of users, whoever asked first. */
interface FriendshipsTable {
  id: Generated<string>;
  requester_id: string;
  addressee_id: string;
  status: Generated<FriendshipStatus>;
  created_at: Generated<Date>;
}

interface GroupsTable {
  id: Generated<string>;
  name: string;
  kind: Generated<GroupKind>;
  creator_id: string;
  /** Set only for `direct` groups: the two people, ordered so that low < high. */
  direct_low_id: string | null;
  direct_high_id: string | null;
  created_at: Generated<Date>;
}

interface GroupMembersTable {
  group_id: string;
  user_id: string;
  role: Generated<MemberRole>;
  muted: Generated<boolean>;
  joined_at: Generated<Date>;
}

interface GroupInvitesTable {
  code: string;
  group_id: string;
  inviter_id: string;
  expires_at: Date;
  max_uses: Generated<number>;
  uses: Generated<number>;
  revoked_at: Date | null;
  created_at: Generated<Date>;
}

/** The latest time each person was removed from each group (not left: removed by its creator). */
interface GroupKicksTable {
  group_id: string;
  user_id: string;
  kicked_at: Generated<Date>;
}

/** `blocker_id` blocked `blocked_id`: no friendship, requests or direct chat between them. */
interface BlocksTable {
  blocker_id: string;
  blocked_id: string;
  created_at: Generated<Date>;
}

interface AuditLogsTable {
  id: GeneratedAlways<number>;
  action: string;
  actor_id: string | null;
  group_id: string | null;
  target_user_id: string | null;
  meta: Generated<JsonObject>;
  ts: Generated<Date>;
}

export interface Database {
  users: UsersTable;
  oauth_accounts: OAuthAccountsTable;
  sessions: SessionsTable;
  magic_links: MagicLinksTable;
  friendships: FriendshipsTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  group_invites: GroupInvitesTable;
  group_kicks: GroupKicksTable;
  audit_logs: AuditLogsTable;
  blocks: BlocksTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Friendship = Selectable<FriendshipsTable>;
export type Group = Selectable<GroupsTable>;
export type GroupMember = Selectable<GroupMembersTable>;
export type GroupInvite = Selectable<GroupInvitesTable>;
