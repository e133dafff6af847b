import type { FriendSummary, GroupRole, GroupSummary, UserSummary } from "@clofri/protocol";
import type { AuditRow } from "../db/audit.ts";
import type { MemberRow } from "../db/groups.ts";
import type { Group, GroupMember, JsonObject, User } from "../db/tables.ts";
import type { PresenceReader } from "./presence.ts";

// Rows become what the API and the frames show. Times are ms since the epoch.

export interface MemberView {
  id: string;
  displayName: string;
  avatarUrl: string | null;
  role: GroupRole;
  muted: boolean;
  joinedAt: number;
}

/** A group as one member sees it: the PROTOCOL summary plus the member list. */
export interface GroupView extends GroupSummary {
  createdAt: number;
  members: MemberView[];
}

export interface IncomingRequest {
  id: string;
  from: UserSummary;
  createdAt: number;
}

export interface OutgoingRequest {
  id: string;
  to: UserSummary;
  createdAt: number;
}

export function userSummary(user: Pick<User, "id" | "display_name" | "avatar_url">): UserSummary {
  return { id: user.id, displayName: user.display_name, avatarUrl: user.avatar_url };
}

export function friendSummary(user: User, presence: PresenceReader): FriendSummary {
  return {
    ...userSummary(user),
    online: presence.isOnline(user.id),
    lastSeen: presence.lastSeen(user.id) ?? user.last_seen_at?.getTime() ?? null,
    status: presence.statusOf(user.id),
  };
}

/** The member a group is shown to. */
type Viewer = Pick<GroupMember, "user_id" | "role" | "muted">;

/** A direct chat has no name of its own: each of the two sees it named after the other. */
function groupName(group: Group, viewerId: string, members: readonly MemberRow[]): string {
  if (group.kind === "group") return group.name;
  const other = members.find((m) => m.group_id === group.id && m.user_id !== viewerId);
  return other?.display_name ?? group.name;
}

export function groupSummary(
  group: Group,
  viewer: Viewer,
  members: readonly MemberRow[],
  presence: PresenceReader,
): GroupSummary {
  return {
    id: group.id,
    name: groupName(group, viewer.user_id, members),
    kind: group.kind,
    role: viewer.role,
    muted: viewer.muted,
    present: presence.presentIn(group.id),
  };
}

/** `members` may hold other groups' members too: only this group's are shown. */
export function groupView(
  group: Group,
  viewer: Viewer,
  members: readonly MemberRow[],
  presence: PresenceReader,
): GroupView {
  return {
    ...groupSummary(group, viewer, members, presence),
    createdAt: group.created_at.getTime(),
    members: members.filter((member) => member.group_id === group.id).map(memberView),
  };
}

export function memberView(member: MemberRow): MemberView {
  return {
    id: member.user_id,
    displayName: member.display_name,
    avatarUrl: member.avatar_url,
    role: member.role,
    muted: member.muted,
    joinedAt: member.joined_at.getTime(),
  };
}

export interface AuditEntryView {
  id: number;
  action: string;
  actor: UserSummary | null;
  target: UserSummary | null;
  meta: JsonObject;
  ts: number;
}

/** People the entry names are shown as they are now; null once their account is gone. */
export function auditEntry(row: AuditRow): AuditEntryView {
  const person = (id: string | null, name: string | null, avatarUrl: string | null) =>
    id === null ? null : { id, displayName: name ?? "", avatarUrl };
  return {
    id: row.id,
    action: row.action,
    actor: person(row.actor_id, row.actor_name, row.actor_avatar_url),
    target: person(row.target_user_id, row.target_name, row.target_avatar_url),
    meta: row.meta,
    ts: row.ts.getTime(),
  };
}
