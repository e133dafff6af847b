import type { Kysely } from "kysely";
import { AppError } from "../app-error.ts";
import { writeAudit } from "../db/audit.ts";
import {
  deleteGroup,
  deleteMember,
  listMembers,
  type MemberRow,
  makeCreator,
  recordKick,
  setMuted,
} from "../db/groups.ts";
import type { Database } from "../db/tables.ts";
import { commitThenEmit, type Emit } from "./commit.ts";
import { groupDeleted } from "./groups.ts";
import { requireCreatorOfGroup, requireMembership, requireRegularGroup } from "./permissions.ts";
import type { SocialContext } from "./social-context.ts";
import { type MemberView, memberView } from "./views.ts";

// Changes to one member of a group: mute, remove, leave. Each locks the group row, so membership
// changes of one group take turns (a leave and a kick at once cannot both pick a new creator).

export async function setMemberMuted(
  ctx: SocialContext,
  meId: string,
  groupId: string,
  targetId: string,
  isMuted: boolean,
): Promise<MemberView> {
  return commitThenEmit(ctx, async (trx, emit) => {
    const membership = await requireMembership(trx, groupId, meId, { lock: true });
    requireCreatorOfGroup(membership, "mute members");
    if (targetId === meId) throw new AppError("invalid_request", "you cannot mute yourself");
    const members = await listMembers(trx, [groupId]);
    const target = findTarget(members, targetId);
    if (target.muted !== isMuted) {
      await setMuted(trx, groupId, targetId, isMuted);
      await writeAudit(trx, [
        {
          action: isMuted ? "member_muted" : "member_unmuted",
          actorId: meId,
          groupId,
          targetUserId: targetId,
        },
      ]);
      emit({
        type: "member_muted",
        group: groupId,
        userId: targetId,
        muted: isMuted,
        deliveries: members.map((m) => ({
          userId: m.user_id,
          frame: { type: "member_muted", group: groupId, userId: targetId, muted: isMuted },
        })),
      });
    }
    return memberView({ ...target, muted: isMuted });
  });
}

/** Removes a member; everyone who was in the group hears it, the removed member included. */
export async function kickMember(
  ctx: SocialContext,
  meId: string,
  groupId: string,
  targetId: string,
) {
  await commitThenEmit(ctx, async (trx, emit) => {
    const membership = await requireMembership(trx, groupId, meId, { lock: true });
    requireCreatorOfGroup(membership, "remove members");
    if (targetId === meId) {
      throw new AppError("invalid_request", "to leave the group, use POST /api/groups/:id/leave");
    }
    const members = await listMembers(trx, [groupId]);
    findTarget(members, targetId);
    await deleteMember(trx, groupId, targetId);
    await recordKick(trx, groupId, targetId);
    await writeAudit(trx, [
      { action: "member_kicked", actorId: meId, groupId, targetUserId: targetId },
    ]);
    emit({
      type: "member_kicked",
      group: groupId,
      userId: targetId,
      deliveries: members.map((m) => ({
        userId: m.user_id,
        frame: { type: "member_kicked", group: groupId, userId: targetId },
      })),
    });
  });
}

/**
 * Leaves a group. The creator leaving hands it to the longest-standing member; the last member
 * leaving deletes it.
 */
export async function leaveGroup(ctx: SocialContext, meId: string, groupId: string) {
  await commitThenEmit(ctx, async (trx, emit) => {
    const membership = await requireMembership(trx, groupId, meId, { lock: true });
    requireRegularGroup(membership, "leave it (removing the friend ends it)");
    const members = await listMembers(trx, [groupId]);
    await depart(trx, emit, { groupId, groupName: membership.group.name, userId: meId, members });
  });
}

/**
 * Takes `userId` out of a regular group whose row the caller has locked, and queues what the
 * members must hear: the last one out deletes the group; a departing creator hands it to the
 * longest-standing member, who is unmuted (nobody else could lift a creator's mute).
 */
export async function depart(
  trx: Kysely<Database>,
  emit: Emit,
  departure: { groupId: string; groupName: string; userId: string; members: readonly MemberRow[] },
): Promise<void> {
  const { groupId, userId, members } = departure;
  const others = members.filter((m) => m.user_id !== userId);
  const heir = others[0];
  if (!heir) {
    await writeAudit(trx, [
      {
        action: "group_deleted",
        actorId: userId,
        groupId,
        meta: { name: departure.groupName, reason: "last_member_left" },
      },
    ]);
    await deleteGroup(trx, groupId);
    emit(groupDeleted(groupId, members));
    return;
  }
  await deleteMember(trx, groupId, userId);
  await writeAudit(trx, [
    { action: "member_left", actorId: userId, groupId, targetUserId: userId },
  ]);
  const isCreatorLeaving = members.some((m) => m.user_id === userId && m.role === "creator");
  if (isCreatorLeaving) {
    await makeCreator(trx, groupId, heir.user_id);
    await writeAudit(trx, [
      { action: "creator_transferred", actorId: userId, groupId, targetUserId: heir.user_id },
    ]);
  }
  const creatorId = isCreatorLeaving ? heir.user_id : undefined;
  if (isCreatorLeaving && heir.muted) {
    emit({
      type: "member_muted",
      group: groupId,
      userId: heir.user_id,
      muted: false,
      deliveries: others.map((m) => ({
        userId: m.user_id,
        frame: { type: "member_muted", group: groupId, userId: heir.user_id, muted: false },
      })),
    });
  }
  emit({
    type: "member_left",
    group: groupId,
    userId,
    creatorId,
    deliveries: members.map((m) => ({
      userId: m.user_id,
      frame: { type: "member_left", group: groupId, userId, ...(creatorId ? { creatorId } : {}) },
    })),
  });
}

function findTarget(members: readonly MemberRow[], targetId: string): MemberRow {
  const target = members.find((m) => m.user_id === targetId);
  if (!target) throw new AppError("not_found", "no such member in this group");
  return target;
}
