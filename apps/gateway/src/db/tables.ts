import type { Generated, GeneratedAlways, Insertable, Selectable, Updateable } from "kysely";

// Row types of the schema in /migrations. Column names stay snake_case as in SQL; mapping to the
// camelCase of the API happens where rows become responses.
//
// INT8 (bigint, count(*), sum of integers) is read as a JS number on both engines, and a value
// beyond Number.MAX_SAFE_INTEGER makes the query fail rather than lose digits: see int8.ts.

export type FriendshipStatus = "pending" | "accepted";
export type GroupKind = "group" | "direct";
export type MemberRole = "creator" | "member";

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface UsersTable {
  id: Generated<string>;
  /** citext: unique and compared without regard to case. */
  email: string;
  display_name: string;
  avatar_url: string | null;
  friend_code: string;
  created_at: Generated<Date>;
  last_seen_at: Date | null;
}

export interface OAuthAccountsTable {
  provider: string;
  provider_user_id: string;
  user_id: string;
  created_at: Generated<Date>;
}

export interface SessionsTable {
  /** SHA-256 of the session token; the token itself is never stored. */
  id: string;
  user_id: string;
  created_at: Generated<Date>;
  expires_at: Date;
  user_agent: string | null;
}

export interface MagicLinksTable {
  token_hash: string;
  email: string;
  created_at: Generated<Date>;
  expires_at: Date;
  used_at: Date | null;
}

/** One row per unordered pair of users, whoever asked first. */
export interface FriendshipsTable {
  id: Generated<string>;
  requester_id: string;
  addressee_id: string;
  status: Generated<FriendshipStatus>;
  created_at: Generated<Date>;
}

export interface GroupsTable {
  id: Generated<string>;
  name: string;
  kind: Generated<GroupKind>;
  creator_id: string;
  /** Set only for `direct` groups: the two people, ordered so that low < high. */
  direct_low_id: string | null;
  direct_high_id: string | null;
  created_at: Generated<Date>;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  role: Generated<MemberRole>;
  muted: Generated<boolean>;
  joined_at: Generated<Date>;
}

export interface GroupInvitesTable {
  code: string;
  group_id: string;
  inviter_id: string;
  expires_at: Date;
  max_uses: Generated<number>;
  uses: Generated<number>;
  revoked_at: Date | null;
  created_at: Generated<Date>;
}

export interface AuditLogsTable {
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
  audit_logs: AuditLogsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Session = Selectable<SessionsTable>;
export type Friendship = Selectable<FriendshipsTable>;
export type Group = Selectable<GroupsTable>;
export type GroupMember = Selectable<GroupMembersTable>;
export type GroupInvite = Selectable<GroupInvitesTable>;
export type AuditLog = Selectable<AuditLogsTable>;
