import type { Kysely } from "kysely";
import { AppError } from "../app-error.ts";
import { writeAudit } from "../db/audit.ts";
import { friendIdsAmong } from "../db/friends.ts";
import {
  deleteGroup,
  insertGroup,
  insertMembers,
  listMembers,
  listMemberships,
  type MemberRow,
  type Membership,
  renameGroup,
} from "../db/groups.ts";
import type { Database, Group } from "../db/tables.ts";
import { commitThenEmit } from "./commit.ts";
import type { SocialEvent } from "./events.ts";
import { requireCreatorOfGroup, requireMembership } from "./permissions.ts";
import type { PresenceReader } from "./presence.ts";
import { MAX_GROUP_MEMBERS } from "./schemas.ts";
import type { SocialContext } from "./social-context.ts";
import { type GroupView, groupSummary, groupView } from "./views.ts";

export async function createGroup(
  ctx: SocialContext,
  meId: string,
  input: { name: string; memberIds: readonly string[] },
): Promise<GroupView> {
  const memberIds = [...new Set(input.memberIds)].filter((id) => id !== meId);
  if (memberIds.length + 1 > MAX_GROUP_MEMBERS) throw groupFull();
  return commitThenEmit(ctx, async (trx, emit) => {
    await requireFriends(trx, meId, memberIds);
    const group = await insertGroup(trx, { name: input.name, creatorId: meId });
    await insertMembers(trx, group.id, [
      { userId: meId, role: "creator" },
      ...memberIds.map((userId) => ({ userId, role: "member" as const })),
    ]);
    await writeAudit(trx, [
      { action: "group_created", actorId: meId, groupId: group.id, meta: { name: group.name } },
      ...memberIds.map((userId) => ({
        action: "member_added" as const,
        actorId: meId,
        groupId: group.id,
        targetUserId: userId,
      })),
    ]);
    const members = await listMembers(trx, [group.id]);
    emit(groupAdded(group, members, members, ctx.presence));
    return groupView(group, creatorRow(members, meId), members, ctx.presence);
  });
}

export async function groupsOf(ctx: SocialContext, meId: string): Promise<GroupView[]> {
  const memberships = await listMemberships(ctx.db, meId);
  const members = await listMembers(
    ctx.db,
    memberships.map((m) => m.group.id),
  );
  return memberships.map((m) => groupView(m.group, m.member, members, ctx.presence));
}

export async function groupOf(
  ctx: SocialContext,
  meId: string,
  groupId: string,
): Promise<GroupView> {
  return loadView(ctx.db, ctx.presence, await requireMembership(ctx.db, groupId, meId));
}

export async function renameGroupAs(
  ctx: SocialContext,
  meId: string,
  groupId: string,
  name: string,
): Promise<GroupView> {
  return commitThenEmit(ctx, async (trx, emit) => {
    const membership = await requireMembership(trx, groupId, meId, { lock: true });
    requireCreatorOfGroup(membership, "rename the group");
    const before = membership.group.name;
    if (name === before) return loadView(trx, ctx.presence, membership);
    await renameGroup(trx, groupId, name);
    await writeAudit(trx, [
      { action: "group_renamed", actorId: meId, groupId, meta: { from: before, to: name } },
    ]);
    const members = await listMembers(trx, [groupId]);
    emit({
      type: "group_updated",
      group: groupId,
      name,
      deliveries: members.map((m) => ({
        userId: m.user_id,
        frame: { type: "group_updated", group: groupId, name },
      })),
    });
    return groupView({ ...membership.group, name }, membership.member, members, ctx.presence);
  });
}

export async function deleteGroupAs(ctx: SocialContext, meId: string, groupId: string) {
  await commitThenEmit(ctx, async (trx, emit) => {
    const membership = await requireMembership(trx, groupId, meId, { lock: true });
    requireCreatorOfGroup(membership, "delete the group");
    const members = await listMembers(trx, [groupId]);
    await writeAudit(trx, [
      {
        action: "group_deleted",
        actorId: meId,
        groupId,
        meta: { name: membership.group.name, memberCount: members.length },
      },
    ]);
    await deleteGroup(trx, groupId);
    emit(groupDeleted(groupId, members));
  });
}

/**
 * Adds the creator's friends (creator only: a member who wants a friend in asks the creator for
 * an invite). Ids that are members already are skipped, so a retry changes nothing.
 */
export async function addMembers(
  ctx: SocialContext,
  meId: string,
  groupId: string,
  userIds: readonly string[],
): Promise<GroupView> {
  return commitThenEmit(ctx, async (trx, emit) => {
    const membership = await requireMembership(trx, groupId, meId, { lock: true });
    requireCreatorOfGroup(membership, "add members");
    const before = await listMembers(trx, [groupId]);
    const current = new Set(before.map((m) => m.user_id));
    const added = [...new Set(userIds)].filter((id) => !current.has(id));
    if (added.length === 0)
      return groupView(membership.group, membership.member, before, ctx.presence);
    await requireFriends(trx, meId, added);
    if (before.length + added.length > MAX_GROUP_MEMBERS) throw groupFull();
    await insertMembers(
      trx,
      groupId,
      added.map((userId) => ({ userId, role: "member" as const })),
    );
    await writeAudit(
      trx,
      added.map((userId) => ({
        action: "member_added",
        actorId: meId,
        groupId,
        targetUserId: userId,
      })),
    );
    const members = await listMembers(trx, [groupId]);
    const newRows = members.filter((m) => added.includes(m.user_id));
    emit(groupAdded(membership.group, newRows, members, ctx.presence));
    return groupView(membership.group, membership.member, members, ctx.presence);
  });
}

export async function loadView(
  db: Kysely<Database>,
  presence: PresenceReader,
  membership: Membership,
): Promise<GroupView> {
  const members = await listMembers(db, [membership.group.id]);
  return groupView(membership.group, membership.member, members, presence);
}

/** `group_added` for `recipients`, each seeing the group with their own role. */
export function groupAdded(
  group: Group,
  recipients: readonly MemberRow[],
  members: readonly MemberRow[],
  presence: PresenceReader,
): SocialEvent {
  return {
    type: "group_added",
    group: group.id,
    userIds: recipients.map((m) => m.user_id),
    deliveries: recipients.map((m) => ({
      userId: m.user_id,
      frame: { type: "group_added", group: groupSummary(group, m, members, presence) },
    })),
  };
}

export function groupDeleted(groupId: string, members: readonly MemberRow[]): SocialEvent {
  return {
    type: "group_deleted",
    group: groupId,
    userIds: members.map((m) => m.user_id),
    deliveries: members.map((m) => ({
      userId: m.user_id,
      frame: { type: "group_deleted", group: groupId },
    })),
  };
}

export function groupFull(): AppError {
  return new AppError("conflict", `a group has at most ${MAX_GROUP_MEMBERS} members`);
}

/** Only friends can be put in a group; who is not a friend is not said (strangers stay unseen). */
async function requireFriends(db: Kysely<Database>, meId: string, userIds: readonly string[]) {
  const friends = await friendIdsAmong(db, meId, userIds);
  if (userIds.some((id) => !friends.has(id))) {
    throw new AppError("forbidden", "you can add only your friends to a group");
  }
}

function creatorRow(members: readonly MemberRow[], meId: string): MemberRow {
  const row = members.find((m) => m.user_id === meId);
  if (!row) throw new Error(`expected the creator ${meId} among the new group's members`);
  return row;
}
